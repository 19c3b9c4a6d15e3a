"""The synthetic default district: a rural Kreis made by the project's own code.

See :func:`transit.district.build.build_district` and ``data/district_default.toml``.
"""

from transit.district.build import DISTRICT_FILE, build_district, load_spec

__all__ = ["DISTRICT_FILE", "build_district", "load_spec"]
