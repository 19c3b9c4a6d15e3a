"""Packaging beyond pyproject.toml: ship the bundled instances (``instances/``) as package data.

The instances live at the repository root (the project's layout); a wheel
carries them as the package ``transit_instances`` so that a non-editable
install finds them (:mod:`transit.util.instances`).
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["transit", "transit.*"]), "transit_instances"],
    package_dir={"transit_instances": "instances"},
    package_data={"transit": ["data/*.toml", "data/*.csv", "data/*.json"], "transit_instances": ["**/*"]},
    exclude_package_data={"transit_instances": ["**/__pycache__/*"]},
)
