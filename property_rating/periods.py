"""property_rating.md "Periods": the years and quarters this app accepts, checked in one place.

Every command, API filter, form and page of the app parses a year or an id from user input here,
so that no input (`²`, `%00`, `99999`, `0`, `null,null`) reaches the database as an error.
"""

import argparse

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from governance.periods import quarter_bounds  # noqa: F401  (one copy, shared)

YEAR_MIN = 2000
YEAR_MAX = 2100

QUARTERS = (1, 2, 3, 4)
# Ids are bigint primary keys: 18 ASCII digits always fit.
_MAX_ID_DIGITS = 18


def _ascii_digits(text: str) -> bool:
    # str.isdigit() accepts "²" and other digits int() refuses; only ASCII 0-9 is a number here.
    return bool(text) and text.isascii() and text.isdigit()


def year_error() -> str:
    return _("A year is a whole number from %(min)d to %(max)d.") % {
        "min": YEAR_MIN,
        "max": YEAR_MAX,
    }


def parse_year(value) -> int:
    """The year in `value` (an int or text); ValidationError unless it is 2000..2100."""
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    else:
        text = str(value).strip()
        if not _ascii_digits(text) or len(text) > 4:
            raise ValidationError(year_error(), code="year")
        year = int(text)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError(year_error(), code="year")
    return year


def parse_quarter(value) -> int:
    text = str(value).strip()
    if not (_ascii_digits(text) and len(text) == 1 and int(text) in QUARTERS):
        raise ValidationError(_("A quarter is 1, 2, 3 or 4."), code="quarter")
    return int(text)


def parse_id(value) -> int | None:
    """A primary key from user input, or None when the text cannot be one (callers answer 404
    or 400)."""
    text = str(value).strip()
    if not _ascii_digits(text) or len(text) > _MAX_ID_DIGITS:
        return None
    return int(text)


def year_argument(text: str) -> int:
    """argparse `type=` for --year: a bad year is a usage error (exit code 2), not a traceback."""
    try:
        return parse_year(text)
    except ValidationError as error:
        raise argparse.ArgumentTypeError(" ".join(error.messages)) from error
