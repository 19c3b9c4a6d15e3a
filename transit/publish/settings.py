"""Who publishes a feed and how passengers book: agency, time zone, booking phone and URL.

Defaults and their notes are in ``transit/data/publish.toml``; a TOML file
with any of the same keys overrides them (:func:`load_publish_settings`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from transit.errors import InputError
from transit.util.tomltable import build, check_keys, get_int, get_number, get_text, read_toml

__all__ = ["PublishSettings", "load_publish_settings", "parse_publish_settings"]


def _defaults() -> dict[str, Any]:
    text = resources.files("transit.data").joinpath("publish.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


_D = _defaults()


@dataclass(frozen=True)
class PublishSettings:
    """The publisher's side of a feed.

    Parameters
    ----------
    agency_id, agency_name, agency_url, agency_timezone, agency_lang, agency_phone
        The ``agency.txt`` row.
    booking_phone, booking_url, info_url
        ``phone_number``, ``booking_url`` and ``info_url`` of the booking
        rules (empty: left out; the phone defaults to the agency's).
    valid_days
        The service runs from the modelled day for this many days.
    ast_door_speed_kmh
        AST: the drop-off window ends twice the door radius at this speed
        after the last timetabled arrival.
    """

    agency_id: str = str(_D["agency_id"])
    agency_name: str = str(_D["agency_name"])
    agency_url: str = str(_D["agency_url"])
    agency_timezone: str = str(_D["agency_timezone"])
    agency_lang: str = str(_D["agency_lang"])
    agency_phone: str = str(_D["agency_phone"])
    booking_phone: str = str(_D["booking_phone"])
    booking_url: str = str(_D["booking_url"])
    info_url: str = str(_D["info_url"])
    valid_days: int = int(_D["valid_days"])
    ast_door_speed_kmh: float = float(_D["ast_door_speed_kmh"])

    KEYS = (
        "agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang", "agency_phone",
        "booking_phone", "booking_url", "info_url", "valid_days", "ast_door_speed_kmh",
    )

    def __post_init__(self) -> None:
        for key in ("agency_id", "agency_name", "agency_timezone"):
            if not getattr(self, key).strip():
                msg = "must not be empty"
                raise InputError(msg, column=key)
        for key in ("agency_url", "booking_url", "info_url"):
            url = getattr(self, key)
            if url and not url.startswith(("http://", "https://")):
                msg = f"must be a URL starting with http:// or https://, got {url!r}"
                raise InputError(msg, column=key)
        if not self.agency_url:
            msg = "must not be empty (GTFS requires agency_url)"
            raise InputError(msg, column="agency_url")
        if self.valid_days < 1:
            msg = f"must be >= 1, got {self.valid_days}"
            raise InputError(msg, column="valid_days")

    @property
    def phone(self) -> str:
        """The booking phone: its own, else the agency's."""
        return self.booking_phone or self.agency_phone


def parse_publish_settings(data: Mapping[str, Any], *, source: str | None = None, table: str = "") -> PublishSettings:
    """Build from a TOML table (keys as the parameters).

    Raises
    ------
    InputError
        Naming ``source`` and the key.
    """
    check_keys(data, PublishSettings.KEYS, source=source, table=table)
    values: dict[str, Any] = {}
    for key in PublishSettings.KEYS:
        if key not in data:
            continue
        if key == "valid_days":
            values[key] = get_int(data, key, None, source=source, table=table, lo=1)
        elif key == "ast_door_speed_kmh":
            values[key] = get_number(data, key, None, source=source, table=table, positive=True)
        else:
            values[key] = get_text(data, key, None, source=source, table=table)
    return build(PublishSettings, values, source=source, table=table)


def load_publish_settings(path: str | Path | None) -> PublishSettings:
    """Read publisher settings from a TOML file (None: the defaults)."""
    if path is None:
        return PublishSettings()
    return parse_publish_settings(read_toml(path, what="agency file"), source=str(path))
