"""A man who keeps his testosterone (goal: his testosterone, plan: continue it) sees his
curves labelled as a what-if on the page, in the printable report and in the bottom line,
never as his plan (one voice, issue 15)."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from webhelpers import TODAY, example, log_in

from androcast.labs import parse_case
from androcast.web.service import add_case

HTMX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    """Clinic A with the mixed-units man, still on testosterone gel, goal testosterone."""
    data = yaml.safe_load(example("cases/mixed_units.yaml").read_text(encoding="utf-8"))
    data["patient"]["id"] = "W42"
    case = parse_case(json.loads(json.dumps(data, default=str)), as_of=TODAY)
    add_case(app.state.store, "A", "test setup", case)
    with TestClient(app) as c:
        log_in(c, "alice")
        yield c


def test_the_outlook_labels_the_curves_as_a_what_if(client: TestClient) -> None:
    text = html.unescape(client.get("/patients/W42/outlook", headers=HTMX).text)
    assert 'data-testid="prognosis-scenario" data-what-if="true"' in text
    assert "What if he stopped testosterone gel now: his plan continues it" in text
    assert "No protocol ranked on his pathway. What if he stopped testosterone gel now" in text
