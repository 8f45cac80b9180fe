"""What other apps may call in deliberation: the documented entry points.

    proposal_from_problem(*, estate, title, description, raised_by, note="") -> Proposal
        Turn a problem found elsewhere into a submitted proposal of the estate's council. The title
        is made one line (at most 120 characters). Raises django.core.exceptions.ValidationError
        when the estate has no council.

    case_categories(*, town_id) -> list[tuple[str, str]]
        The town's case categories as (code, name), for a choice field.

    case_from_problem(*, household, title, description="", raised_by, category_code="",
                      source="visit", note="") -> Case
        A problem raised in a household visit (party_grid) becomes a case of the household's
        estate, with or without a council: received now, assigned by the responsibility list.
        `category_code` blank means the town's "other" category (C99, or its last one).
        Raises ValidationError (e.g. an unknown category).

    case_possible_duplicates(*, household, category_code="", limit=5) -> list[Case]
        Open cases of the household's estate in the same category received within the town's
        duplicate window (cases.md: a possible duplicate is offered before saving), newest first;
        `category_code` as for case_from_problem. Raises ValidationError on an unknown category.

    case_follow_duplicate(*, case_id, household, user) -> Case
        The visitor follows an open case of the household's estate (the problem is already a
        case) instead of filing it again. Raises ValidationError when the case is not one of the
        household's estate's open cases.

    company_case_figures(*, company_id, estate_id, year, quarter) -> dict
        Task item T9 evidence for the quarterly review: of the cases received in the quarter that
        the company handled at estate level at that estate, `cases`, `replied_on_time`,
        `on_time_reply_rate` (per cent, Decimal 1 place, None without cases), `rated`,
        `satisfied` (ratings 4-5) and `satisfaction` (per cent of rated, None without ratings).

Other apps import only this module (`from deliberation.interface import ...`).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .councils.services import proposal_from_problem


def case_categories(*, town_id: int) -> list[tuple[str, str]]:
    from .cases.models import CaseCategory

    return list(
        CaseCategory.objects.filter(town_id=town_id).order_by("code").values_list("code", "name")
    )


def _category(estate, category_code: str):
    """The town's category by code; blank means "other" (C99, or the town's last category)."""
    from .cases.models import CaseCategory
    from .cases.services import responsibility_list_ensure

    categories = CaseCategory.objects.filter(town_id=estate.community.town_id)
    if not categories.exists():
        responsibility_list_ensure(town=estate.community.town)
    if category_code:
        category = categories.filter(code=category_code).first()
        if category is None:
            raise ValidationError({"category": _("Unknown case category.")})
        return category
    return categories.filter(code="C99").first() or categories.order_by("-code").first()


def case_possible_duplicates(*, household, category_code: str = "", limit: int = 5) -> list:
    from .cases.services import possible_duplicates

    estate = household.building.estate
    category = _category(estate, category_code)
    return list(possible_duplicates(estate=estate, category=category)[:limit])


def case_follow_duplicate(*, case_id: int, household, user):
    from .cases.models import Case
    from .cases.services import case_follow

    case = Case.objects.open().filter(pk=case_id, estate_id=household.building.estate_id).first()
    if case is None:
        raise ValidationError(_("Choose one of the open cases offered."))
    case_follow(case=case, user=user, household=household)
    return case


def case_from_problem(
    *,
    household,
    title: str,
    description: str = "",
    raised_by,
    category_code: str = "",
    source: str = "visit",
    note: str = "",
):
    from .cases.models import Case
    from .cases.services import case_receive

    estate = household.building.estate
    category = _category(estate, category_code)
    first_line = " ".join((title or "").strip().splitlines()[:1]).strip()[:120]
    text = (description or "").strip()
    if note:
        text = f"{text}\n\n{note}".strip()
    return case_receive(
        estate=estate,
        building=household.building,
        household=household,
        category=category,
        title=first_line,
        description=text,
        source=source if source in Case.Source.values else Case.Source.VISIT,
        reporter=raised_by,  # the visitor follows the case back to the household and rates it
        by=raised_by,
    )


def company_case_figures(*, company_id: int, estate_id: int, year: int, quarter: int) -> dict:
    from .cases.figures import company_quarter

    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter is 1 to 4")
    return company_quarter(company_id=company_id, estate_id=estate_id, year=year, quarter=quarter)


__all__ = [
    "case_categories",
    "case_follow_duplicate",
    "case_from_problem",
    "case_possible_duplicates",
    "company_case_figures",
    "proposal_from_problem",
]


def region_problem_estates(*, town_ids: list[int], year: int, quarter: int) -> list[dict]:
    """The problem estates of a whole district or city in a quarter (regions.md: the top 5 % of
    the region's estates by cases per 100 households): rows of estate, cases, households, score."""
    from .escalation.services import problem_estates

    return problem_estates(town_ids=town_ids, year=year, quarter=quarter)
