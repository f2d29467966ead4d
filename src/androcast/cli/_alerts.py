"""Alerts as the CLI prints them (shared by `monitor`, `observe` and `fhir import`)."""

from __future__ import annotations

from typing import Any

from androcast.cli._common import console


def print_alerts(alerts: list[dict[str, Any]]) -> None:
    """Each alert on its own lines: what, the rule and its citation, then the message."""
    if not alerts:
        console.print("no alerts", highlight=False, markup=False)
        return
    console.print(f"alerts ({len(alerts)}):", highlight=False, markup=False)
    for a in alerts:
        value = "" if a.get("value") is None else f" {a['value']:.3g} {a['unit']}"
        console.print(f"- {a['date']} {a['code']} [{a['severity']}] {a['observable']}{value}"
                      f" (rule {a['rule']}; {a['citation']})", highlight=False, markup=False)
        console.print(f"  {a['message']}", highlight=False, markup=False)
