"""Packaging beyond pyproject.toml: package data (tables, message catalogues) and the bundled instances.

The instances live at the repository root (the project's layout); a wheel
carries them as the package ``transit_instances`` so that a non-editable
install finds them (:mod:`transit.util.instances`). The message catalogues
(``transit/locale/<lang>/LC_MESSAGES/transit.po``) are package data of
``transit``; :mod:`transit.util.i18n` compiles them when first used.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["transit", "transit.*"]), "transit_instances"],
    package_dir={"transit_instances": "instances"},
    package_data={
        "transit": ["data/*.toml", "data/*.csv", "data/*.json", "locale/*.pot", "locale/*/LC_MESSAGES/*.po"],
        "transit_instances": ["**/*"],
    },
    exclude_package_data={"transit_instances": ["**/__pycache__/*"]},
)
