"""Calendar arithmetic every app shares (quarters of a calendar year)."""

import datetime


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a calendar quarter."""
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = (
        datetime.date(year, 12, 31)
        if quarter == 4
        else datetime.date(year, 3 * quarter + 1, 1) - datetime.timedelta(days=1)
    )
    return start, end


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day of the calendar quarter containing `day`."""
    return quarter_bounds(day.year, (day.month - 1) // 3 + 1)
