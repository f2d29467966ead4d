"""The history section: each bad androgen course, medication or gonadotoxic treatment is
named by its field with what was expected, and a restoration drug he takes now needs its
dose and interval (it is part of his state), named at the field that lacks it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from androcast.errors import AndrocastError
from androcast.labs import parse_case
from androcast.labs._model import GonadotoxicTreatment, History, MedicationCourse

AS_OF = dt.date(2025, 11, 1)
CYPIONATE = {"agent": "testosterone_cypionate", "dose": "200 mg", "every": "7 d"}
CLOMIPHENE = {"agent": "clomiphene_citrate", "dose": "25 mg", "every": "1 d"}
NEEDS_DOSE = (
    "'clomiphene_citrate' has no dose; expected the dose and interval of a restoration drug he "
    "takes now (dose needed: it is part of his state for the assessment, the twin and the "
    "plan), e.g. {agent: clomiphene_citrate, dose: AMOUNT UNIT, every: INTERVAL, start: DATE}"
)


def _history(**sections: Any) -> History:
    return parse_case({"patient": {"id": "P"}, "history": sections}, as_of=AS_OF).history


def _refusal(**sections: Any) -> str:
    with pytest.raises(AndrocastError) as caught:
        _history(**sections)
    return str(caught.value)


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"androgens": ["testosterone"]}, "history.androgens[0]: 'testosterone' cannot be "
         "read; expected a mapping with agent, dose, every, start and stop"),
        ({"androgens": [{**CYPIONATE, "colour": 1}]}, "history.androgens[0].colour: 1 cannot "
         "be read; expected one of agent, dose, every, start, stop, route"),
        ({"androgens": [{**CYPIONATE, "start": "soon"}]}, "history.androgens[0].start: "
         "'soon' is not a valid date here; expected an ISO date YYYY-MM-DD"),
        ({"androgens": [{**CYPIONATE, "stop": "later"}]}, "history.androgens[0].stop: "
         "'later' is not a valid date here; expected an ISO date YYYY-MM-DD"),
        ({"androgens": [{**CYPIONATE, "route": "oral"}]}, "history.androgens[0].route: 'oral' "
         "is not a known code; expected a route of testosterone_cypionate: one of im"),
        ({"medications": [{"agent": "opioid", "start": "2025-02-01", "stop": "2025-01-01"}]},
         "history.medications[0].stop: '2025-01-01' is not a valid date here; expected a date "
         "on or after start 2025-02-01"),
        ({"medications": [{"agent": "opioid", "name": ["methadone"]}]},
         "history.medications[0].name: 'a list' cannot be read; expected text"),
        ({"medications": [{"agent": "opioid", "colour": 1}]}, "history.medications[0].colour: "
         "1 cannot be read; expected one of agent, name, dose, every, start, stop"),
        ({"gonadotoxic_treatment": ["chemo"]}, "history.gonadotoxic_treatment[0]: 'chemo' "
         "cannot be read; expected a mapping with type (chemotherapy, radiotherapy, other)"),
        ({"gonadotoxic_treatment": [{"type": "radiotherapy", "colour": 1}]},
         "history.gonadotoxic_treatment[0].colour: 1 cannot be read; expected one of type, "
         "regimen, cycles, field, dose_gy, start, stop, sperm_banked_before"),
        ({"gonadotoxic_treatment": [{"type": "radiotherapy", "dose_gy": 201}]},
         "history.gonadotoxic_treatment[0].dose_gy: 201.0 is impossible; expected a number "
         "from 0 to 200 Gy"),
        ({"gonadotoxic_treatment": [{"type": "radiotherapy", "field": ["pelvis"]}]},
         "history.gonadotoxic_treatment[0].field: 'a list' cannot be read; expected text"),
        ({"gonadotoxic_treatment": [{"type": "radiotherapy", "sperm_banked_before": "maybe"}]},
         "history.gonadotoxic_treatment[0].sperm_banked_before: 'maybe' cannot be read; "
         "expected true, false or null"),
        ({"gonadotoxic_treatment": [{"type": "chemotherapy", "start": "2020-02-01",
                                     "stop": "2020-01-01"}]},
         "history.gonadotoxic_treatment[0].stop: '2020-01-01' is not a valid date here; "
         "expected a date on or after start 2020-02-01"),
    ],
)
def test_a_bad_history_entry_is_named_with_what_was_expected(
    sections: dict[str, Any], message: str
) -> None:
    assert _refusal(**sections) == message


def test_a_stated_route_is_kept() -> None:
    (course,) = _history(androgens=[{**CYPIONATE, "route": "im"}]).androgens
    assert course.route == "im"


@pytest.mark.parametrize(
    ("medication", "field"),
    [
        ("clomiphene_citrate", "history.medications[0]"),  # a bare code: the entry itself
        ({"agent": "clomiphene_citrate", "dose": "25 mg", "start": "2025-09-01"},
         "history.medications[0].every"),
        ({"agent": "clomiphene_citrate", "every": "1 d", "start": "2025-09-01"},
         "history.medications[0].dose"),
        ({"agent": "clomiphene_citrate", "start": "2025-09-01"}, "history.medications[0].dose"),
    ],
)
def test_a_restoration_drug_taken_now_without_dose_names_what_it_lacks(
    medication: Any, field: str
) -> None:
    assert _refusal(medications=[medication]) == f"{field}: {NEEDS_DOSE}"


@pytest.mark.parametrize(
    ("medication", "message"),
    [
        # a bad dose, interval or date is the one problem named; a missing dose is not added
        ({"agent": "clomiphene_citrate", "dose": "lots", "every": "1 d"},
         "history.medications[0].dose: 'lots' is not a valid regimen entry; expected a dose "
         "with a unit, e.g. '200 mg', '5000 IU' or '50 ug'"),
        ({"agent": "clomiphene_citrate", "dose": "25 mg", "every": "often"},
         "history.medications[0].every: 'often' is not a valid regimen entry; expected an "
         "interval with a time unit, e.g. '7 d', '2 wk' or '90 min'"),
        ({"agent": "clomiphene_citrate", "dose": "25 mg", "start": "soon"},
         "history.medications[0].start: 'soon' is not a valid date here; expected an ISO date "
         "YYYY-MM-DD"),
        ({"agent": "clomiphene_citrate", "stop": "later"},
         "history.medications[0].stop: 'later' is not a valid date here; expected an ISO date "
         "YYYY-MM-DD"),
    ],
)
def test_a_bad_dose_interval_or_date_is_the_one_problem_named(
    medication: dict[str, Any], message: str
) -> None:
    assert _refusal(medications=[medication]) == message


def test_a_restoration_course_with_dose_and_interval_or_stopped_is_read() -> None:
    (now,) = _history(
        medications=[{**CLOMIPHENE, "name": "Clomid", "start": "2025-09-01"}]
    ).courses
    assert now == MedicationCourse(
        "clomiphene_citrate", "Clomid", 25.0, "mg", 1.0, dt.date(2025, 9, 1), None
    )
    # a course he stopped is history, not state: its dose is not needed
    stopped = {"agent": "clomiphene_citrate", "start": "2025-01-01", "stop": "2025-06-01"}
    (past,) = _history(medications=[stopped]).courses
    assert (past.dose, past.stop) == (None, dt.date(2025, 6, 1))


def test_a_single_injection_is_an_androgen_course_of_one_day() -> None:
    (course,) = _history(
        androgens=[{**CYPIONATE, "start": "2025-03-01", "stop": "2025-03-01"}]
    ).androgens
    assert (course.start, course.stop) == (dt.date(2025, 3, 1), dt.date(2025, 3, 1))


def test_a_one_day_course_and_a_course_with_only_a_stop_date_are_read() -> None:
    one_day = {"agent": "opioid", "start": "2025-02-01", "stop": "2025-02-01"}
    stop_only = {"agent": "opioid", "stop": "2025-02-01"}
    first, second = _history(medications=[one_day, stop_only]).courses
    assert (first.start, first.stop) == (dt.date(2025, 2, 1), dt.date(2025, 2, 1))
    assert (second.start, second.stop) == (None, dt.date(2025, 2, 1))


def test_a_gonadotoxic_treatment_keeps_every_field() -> None:
    radiotherapy = {
        "type": "radiotherapy", "regimen": "IMRT", "field": "para-aortic", "dose_gy": 200,
        "start": "2020-01-01", "stop": "2020-02-01", "sperm_banked_before": True,
    }
    no_dose = {"type": "radiotherapy", "dose_gy": 0}  # 0 Gy to the testes is a dose
    assert _history(gonadotoxic_treatment=[radiotherapy, no_dose]).gonadotoxic_treatment == (
        GonadotoxicTreatment("radiotherapy", "IMRT", None, "para-aortic", 200.0,
                             dt.date(2020, 1, 1), dt.date(2020, 2, 1), True),
        GonadotoxicTreatment("radiotherapy", dose_gy=0.0),
    )


@pytest.mark.parametrize(
    ("reproductive", "message"),
    [
        ("x", "history.reproductive: 'x' cannot be read; expected a mapping with "
         "infertility_months and children"),
        ({"kids": 1}, "history.reproductive.kids: 1 cannot be read; expected one of "
         "infertility_months, children"),
        ({"infertility_months": 601}, "history.reproductive.infertility_months: 601.0 is "
         "impossible; expected a number from 0 to 600 months"),
        ({"children": 51}, "history.reproductive.children: 51.0 is impossible; expected a "
         "number from 0 to 50"),
        ({"children": 1.5}, "history.reproductive.children: 1.5 is not a valid regimen entry; "
         "expected a whole number"),
    ],
)
def test_a_bad_reproductive_history_is_named_with_what_was_expected(
    reproductive: Any, message: str
) -> None:
    assert _refusal(reproductive=reproductive) == message


@pytest.mark.parametrize(
    ("reproductive", "expected"),
    [
        ({"infertility_months": 0, "children": 0}, (0.0, 0)),  # 0 children: primary
        ({"infertility_months": 600, "children": 50}, (600.0, 50)),
        ({"infertility_months": 24}, (24.0, None)),
    ],
)
def test_a_reproductive_history_is_read_up_to_its_bounds(
    reproductive: dict[str, Any], expected: tuple[float, int | None]
) -> None:
    read = _history(reproductive=reproductive).reproductive
    assert read is not None
    assert (read.infertility_months, read.children) == expected


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ("x", "history: 'x' cannot be read; expected a mapping"),
        ({"colour": 1}, "history.colour: 1 cannot be read; expected one of androgens, "
         "conditions, medications, gonadotoxic_treatment, reproductive"),
        ({"conditions": "anosmia"}, "history.conditions: 'anosmia' cannot be read; expected "
         "a list"),
        ({"androgens": [{**CYPIONATE, "agent": "testosterone_enanthate", "route": "oral"}]},
         "history.androgens[0].route: 'oral' is not a known code; expected a route of "
         "testosterone_enanthate: one of im, sc"),
    ],
)
def test_a_bad_history_section_is_named_with_what_was_expected(history: Any, message: str) -> None:
    with pytest.raises(AndrocastError) as caught:
        parse_case({"patient": {"id": "P"}, "history": history}, as_of=AS_OF)
    assert str(caught.value) == message


def test_conditions_are_kept_as_listed() -> None:
    assert _history(conditions=["anosmia", "cryptorchidism"]).conditions == (
        "anosmia", "cryptorchidism"
    )
