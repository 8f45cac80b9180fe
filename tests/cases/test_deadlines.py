"""Working-day deadlines across China's 2026 holidays and make-up days (cases.md)."""

import datetime
import logging

import pytest

from deliberation.cases import deadlines
from deliberation.cases.deadlines import assignment_deadlines, workdays_deadline
from deliberation.cases.models import CalendarDay, CaseSettings, Level

from .conftest import sh

D = datetime.date
DEFAULTS = CaseSettings()


def end_of(day: D) -> datetime.datetime:
    return sh(day.year, day.month, day.day, 23, 59, 59)


def due(start, n):
    return workdays_deadline(start, n)


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # New Year: 1-3 January rest, Sunday 4 January a make-up working day.
        (sh(2025, 12, 31, 10), 1, D(2026, 1, 4)),
        (sh(2025, 12, 31, 10), 3, D(2026, 1, 6)),
        # Spring Festival: Saturday 14 February works, 15-23 February rest, Saturday 28 works.
        (sh(2026, 2, 13, 9), 1, D(2026, 2, 14)),
        (sh(2026, 2, 13, 9), 3, D(2026, 2, 25)),
        (sh(2026, 2, 13, 9), 10, D(2026, 3, 5)),
        (sh(2026, 2, 27, 9), 1, D(2026, 2, 28)),
        # Labour Day: 1-5 May rest, Saturday 9 May works.
        (sh(2026, 4, 30, 15), 1, D(2026, 5, 6)),
        (sh(2026, 4, 30, 15), 5, D(2026, 5, 11)),
        # Sunday 20 September works; Mid-Autumn 25-27 September and 1-7 October rest.
        (sh(2026, 9, 18, 17), 1, D(2026, 9, 20)),
        (sh(2026, 9, 18, 17), 10, D(2026, 10, 9)),
        # Saturday 10 October works.
        (sh(2026, 9, 30, 11), 1, D(2026, 10, 8)),
        (sh(2026, 9, 30, 11), 3, D(2026, 10, 10)),
    ],
)
def test_deadline_counts_statutory_holidays_and_make_up_working_days(start, n, expected):
    assert due(start, n) == end_of(expected)


def test_case_assigned_on_a_holiday_counts_from_the_next_working_day():
    # 3 October 2026 is a National Day holiday; the day of assignment never counts anyway.
    assert due(sh(2026, 10, 3, 10), 1) == end_of(D(2026, 10, 8))
    # 17 February 2026, Spring Festival: the first working day after is the 24th.
    assert due(sh(2026, 2, 17, 8), 3) == end_of(D(2026, 2, 26))


def test_late_evening_assignment_still_counts_from_the_next_day():
    assert due(sh(2026, 3, 2, 23, 58), 1) == end_of(D(2026, 3, 3))


def test_assignment_after_midnight_shanghai_counts_from_that_shanghai_day():
    # 16:30 UTC on 2 March is 00:30 on 3 March in Shanghai: the 3rd is the day of assignment.
    start = datetime.datetime(2026, 3, 2, 16, 30, tzinfo=datetime.UTC)
    assert due(start, 1) == end_of(D(2026, 3, 4))


def test_year_without_library_data_falls_back_to_weekends_and_fixed_holidays(caplog):
    caplog.set_level(logging.WARNING, logger="deliberation.cases.deadlines")
    # 1 January 2027 rest (fallback), 2-3 January a weekend: Monday 4 January.
    result = assignment_deadlines(
        settings=DEFAULTS, level=Level.ESTATE, assigned_at=sh(2026, 12, 31, 10), urgent=False
    )
    assert result.accept_due == end_of(D(2027, 1, 4))
    assert result.reply_due == end_of(D(2027, 1, 6))
    assert result.estimated is True
    assert "no data for 2027" in caplog.text
    # 1-3 October 2027 rest (Friday to Sunday): Monday 4 October.
    assert due(sh(2027, 9, 30, 10), 1) == end_of(D(2027, 10, 4))
    assert due(sh(2027, 4, 30, 10), 1) == end_of(D(2027, 5, 3))


def test_staff_are_warned_about_a_year_without_data():
    assert "2027" in deadlines.staff_warning(D(2026, 12, 1))
    assert deadlines.staff_warning(D(2025, 6, 1)) == ""


def test_a_deadline_within_library_years_is_not_marked_estimated():
    result = assignment_deadlines(
        settings=DEFAULTS, level=Level.TOWN, assigned_at=sh(2026, 6, 1, 10), urgent=False
    )
    assert result.estimated is False
    assert result.reply_due == end_of(D(2026, 6, 15))  # 19 June (Dragon Boat) is after


def test_staff_calendar_days_override_the_library():
    CalendarDay.objects.create(date=D(2027, 1, 4), is_workday=False, note="2027 New Year")
    CalendarDay.objects.create(date=D(2026, 3, 3), is_workday=False, note="correction")
    assert due(sh(2026, 12, 31, 10), 1) == end_of(D(2027, 1, 5))
    assert due(sh(2026, 3, 2, 10), 1) == end_of(D(2026, 3, 4))
    CalendarDay.objects.create(date=D(2026, 3, 7), is_workday=True, note="make-up Saturday")
    assert due(sh(2026, 3, 6, 10), 1) == end_of(D(2026, 3, 7))


def test_urgent_case_deadlines_are_calendar_hours_even_over_a_holiday():
    start = sh(2026, 10, 1, 22, 30)
    result = assignment_deadlines(
        settings=DEFAULTS, level=Level.COMMUNITY, assigned_at=start, urgent=True
    )
    assert result.accept_due == sh(2026, 10, 2, 0, 30)
    assert result.reply_due == sh(2026, 10, 2, 22, 30)


def test_reply_deadline_depends_on_the_level():
    start = sh(2026, 6, 1, 10)  # Monday
    got = {
        level: assignment_deadlines(
            settings=DEFAULTS, level=level, assigned_at=start, urgent=False
        ).reply_due
        for level in (Level.ESTATE, Level.COMMUNITY, Level.TOWN)
    }
    assert got == {
        Level.ESTATE: end_of(D(2026, 6, 4)),
        Level.COMMUNITY: end_of(D(2026, 6, 8)),
        Level.TOWN: end_of(D(2026, 6, 15)),
    }
