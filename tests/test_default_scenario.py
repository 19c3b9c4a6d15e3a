"""The bundled default comparison: every operating form on one demand, with the documented rules."""

from __future__ import annotations

from transit.compare.scenario import load_scenario
from transit.darp.service import ServiceRules
from transit.util.instances import instance_dir


def test_the_default_scenario_shows_every_operating_form() -> None:
    sc = load_scenario(instance_dir("default") / "scenario.toml")
    kinds = {m.kind for m in sc.models}
    assert kinds == {"fixed_line", "rufbus", "ast", "ondemand", "ondemand_stops", "hybrid", "buergerbus"}
    # the service rules are the documented defaults (transit/data/service.toml), no override
    assert sc.service == ServiceRules()
    assert sc.service.max_ride_beta_min <= 7 and sc.service.max_ride_alpha <= 1.6
