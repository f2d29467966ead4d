"""The Case's own logic: when a medication course is part of his state, and a history built
from medication codes alone (older callers) lists them as courses he takes now."""

from __future__ import annotations

import datetime as dt

from androcast.labs._model import History, MedicationCourse

DAY = dt.date(2025, 6, 1)


def test_a_course_is_current_from_its_start_day_until_the_day_before_its_stop() -> None:
    # started on the assessment day: he takes it now; stopped on that day: he no longer does
    assert MedicationCourse("hcg", start=DAY).current(DAY)
    assert not MedicationCourse("hcg", start=DAY + dt.timedelta(days=1)).current(DAY)
    assert not MedicationCourse("hcg", stop=DAY).current(DAY)
    assert MedicationCourse("hcg", stop=DAY + dt.timedelta(days=1)).current(DAY)


def test_a_history_of_codes_alone_lists_them_as_current_courses() -> None:
    history = History(androgens=(), conditions=(), medications=("opioid", "hcg"))
    assert history.courses == (MedicationCourse("opioid"), MedicationCourse("hcg"))
    assert all(course.current(DAY) for course in history.courses)
    given = (MedicationCourse("hcg", stop=DAY),)
    assert History((), (), ("hcg",), courses=given).courses == given
