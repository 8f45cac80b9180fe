"""Working-day deadlines (cases.md "Deadlines, in working days").

One national calendar: the `chinesecalendar` library (statutory holidays and make-up working days),
corrected by staff through CalendarDay rows (the State Council publishes a year's schedule in
November, often before the library). For a year the library does not cover, Saturdays, Sundays,
1 January, 1 May and 1-3 October are rest days, a warning is logged and staff are shown one.

A deadline of N working days is 23:59:59 Asia/Shanghai of the N-th working day after the day of
assignment (that day never counts); urgent cases count calendar hours from the assignment.
"""

import datetime
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar
from django.utils import timezone

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = datetime.time(23, 59, 59)
# The fallback's fixed rest days (month, day) besides weekends, for a year without data.
FALLBACK_REST_DAYS = {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}


def _library_workday(day: datetime.date) -> bool | None:
    """The library's answer, or None for a year it has no data for."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def fallback_workday(day: datetime.date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in FALLBACK_REST_DAYS


def year_has_data(year: int) -> bool:
    """Whether the library covers `year` (it raises for days of a year it does not know)."""
    return _library_workday(datetime.date(year, 6, 1)) is not None


def years_without_data(*years: int) -> list[int]:
    return [year for year in years if not year_has_data(year)]


def staff_warning(today: datetime.date | None = None) -> str:
    """The warning shown to staff when this or next year falls back to the weekend-only rule."""
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    missing = years_without_data(today.year, today.year + 1)
    if not missing:
        return ""
    return _(
        "The holiday calendar has no data for %(years)s: deadlines there count only weekends, "
        "1 January, 1 May and 1-3 October as rest days. Add that year's holidays and make-up "
        "working days under Calendar days."
    ) % {"years": ", ".join(str(y) for y in missing)}


@dataclass
class Calendar:
    """Working days with staff overrides loaded once for a span (no query per day)."""

    overrides: dict[datetime.date, bool]
    used_fallback: bool = False

    @classmethod
    def load(cls, start: datetime.date, end: datetime.date) -> "Calendar":
        from .models import CalendarDay

        rows = CalendarDay.objects.filter(date__gte=start, date__lte=end)
        return cls(overrides=dict(rows.values_list("date", "is_workday")))

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        answer = _library_workday(day)
        if answer is None:
            if not self.used_fallback:
                logger.warning(
                    "chinesecalendar has no data for %s: counting weekends and fixed holidays only",
                    day.year,
                )
            self.used_fallback = True
            return fallback_workday(day)
        return answer

    def nth_workday_after(self, day: datetime.date, n: int) -> datetime.date:
        counted = 0
        while counted < n:
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day


# Enough calendar days to hold 10+ working days across the Spring Festival and Golden Week.
_SPAN_DAYS = 60


def span_end(last: datetime.date, n: int) -> datetime.date:
    """The last day a calendar must hold to count n working days after `last`."""
    return last + datetime.timedelta(days=_SPAN_DAYS + 2 * n)


def _span_for(start: datetime.date, n: int) -> tuple[datetime.date, datetime.date]:
    return start, span_end(start, n)


def workdays_deadline(
    start: datetime.datetime, n: int, *, calendar: Calendar | None = None
) -> datetime.datetime:
    """23:59:59 Asia/Shanghai of the n-th working day after the (local) day of `start`."""
    day = timezone.localtime(start, SHANGHAI).date()
    calendar = calendar or Calendar.load(*_span_for(day, n))
    end_day = calendar.nth_workday_after(day, n)
    return datetime.datetime.combine(end_day, END_OF_DAY, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Deadlines:
    accept_due: datetime.datetime
    reply_due: datetime.datetime
    estimated: bool  # a day counted came from the fallback rule


def assignment_deadlines(
    *,
    settings,
    level: str,
    assigned_at: datetime.datetime,
    urgent: bool,
    calendar: Calendar | None = None,
):
    """Acceptance and reply deadlines of an assignment at `level` made at `assigned_at`.
    `calendar` (loaded for a span holding the deadlines) saves its query, e.g. for a batch."""
    if urgent:
        return Deadlines(
            accept_due=assigned_at + datetime.timedelta(hours=settings.urgent_accept_hours),
            reply_due=assigned_at + datetime.timedelta(hours=settings.urgent_reply_hours),
            estimated=False,
        )
    reply_days = settings.reply_days(level)
    day = timezone.localtime(assigned_at, SHANGHAI).date()
    calendar = calendar or Calendar.load(*_span_for(day, max(reply_days, settings.accept_days)))
    # A shared calendar's fallback flag is this assignment's own: estimated if ITS days used it.
    earlier, calendar.used_fallback = calendar.used_fallback, False
    accept_due = workdays_deadline(assigned_at, settings.accept_days, calendar=calendar)
    reply_due = workdays_deadline(assigned_at, reply_days, calendar=calendar)
    estimated = calendar.used_fallback
    calendar.used_fallback = earlier or estimated
    return Deadlines(accept_due, reply_due, estimated)


def rating_deadline(*, settings, replied_at: datetime.datetime) -> datetime.datetime:
    """cases.md: no rating within 3 working days of the reply closes the case as not rated."""
    return workdays_deadline(replied_at, settings.rating_days)
