"""property_rating.md, the year's `Scheme`: the default task list and tiers (their only home),
creating, copying and validating a scheme, and the year lock every input write takes.

"Every number is a field of the year's Scheme, editable by township staff in the admin until the
year's results are published; a published year's scheme is frozen."
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from communities.models import Town

from .models import Scheme, TaskItem, TierRow
from .periods import parse_year

DEFAULT_TASK_ITEMS = [
    # property_rating.md: default task list, codes and points
    ("T1", "协助执法进小区", "协助执法", Decimal("15"), "次"),
    ("T2", "消防安全巡查", "安全", Decimal("15"), "次"),
    ("T3", "垃圾分类与环境卫生", "环境", Decimal("10"), ""),
    ("T4", "出租屋及流动人口信息报送", "人口", Decimal("10"), "条"),
    ("T5", "矛盾纠纷排查化解", "调解", Decimal("10"), "宗"),
    ("T6", "配合党建及社区活动", "党建", Decimal("10"), "场"),
    ("T7", "安全隐患排查与应急处置", "安全", Decimal("10"), "处"),
    ("T8", "文明创建与宣传", "文明", Decimal("10"), "次"),
    ("T9", "业主诉求响应", "服务", Decimal("10"), "件"),
]
DEFAULT_TIERS = [  # property_rating.md: >=90 100 %, >=80 80 %, >=70 60 %, >=60 40 %, else 0
    (Decimal("90"), Decimal("100")),
    (Decimal("80"), Decimal("80")),
    (Decimal("70"), Decimal("60")),
    (Decimal("60"), Decimal("40")),
    (Decimal("0"), Decimal("0")),
]


def _scheme_for(town_id, year) -> Scheme:
    scheme = Scheme.objects.filter(town_id=town_id, year=year).first()
    if scheme is None:
        raise ValidationError(_("There is no assessment scheme for %(year)s yet.") % {"year": year})
    return scheme


def ensure_year_open(town_id, year) -> Scheme | None:
    """Refuse a write to a published (frozen) year; returns the year's scheme, if any.

    The scheme row is locked so that publishing, which locks the same row FOR UPDATE, waits for
    a write in flight and a write waits for a publication in flight: called inside the caller's
    transaction, the year cannot be published between this check and the write. On PostgreSQL
    the lock is FOR SHARE: writes of one year (reports filed at the same time by many
    companies) do not wait for each other, only for a publication, reopening or computation."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(Scheme._meta.db_table)
            scheme = next(
                iter(
                    Scheme.objects.raw(
                        f"SELECT * FROM {table} WHERE town_id = %s AND year = %s FOR SHARE",  # noqa: S608  # nosec B608: the model's table name, values as parameters
                        [town_id, year],
                    )
                ),
                None,
            )
        else:
            scheme = Scheme.objects.select_for_update().filter(town_id=town_id, year=year).first()
        if scheme is not None and scheme.is_published:
            raise ValidationError(
                _("The results of %(year)s are published; reopen the year to change them.")
                % {"year": year}
            )
    return scheme


def scheme_create_default(*, town: Town, year: int, by=None) -> Scheme:
    """The year's scheme with the default T1-T9 and tiers; returns an existing one."""
    with transaction.atomic():
        scheme, created = Scheme.objects.get_or_create(
            town=town, year=year, defaults={"updated_by": by}
        )
        if created:
            scheme_add_defaults(scheme=scheme)
    return scheme


def scheme_add_defaults(*, scheme: Scheme) -> None:
    """Give a scheme without rows the spec's default task list and tiers."""
    TaskItem.objects.bulk_create(
        TaskItem(
            scheme=scheme,
            code=code,
            title=title,
            category=category,
            max_points=points,
            counts_label=label,
            order=i,
        )
        for i, (code, title, category, points, label) in enumerate(DEFAULT_TASK_ITEMS)
    )
    TierRow.objects.bulk_create(
        TierRow(scheme=scheme, min_score=m, percent=p) for m, p in DEFAULT_TIERS
    )


_SCHEME_COPY_FIELDS = [
    "report_due_days",
    "late_penalty_per_day",
    "late_penalty_cap",
    "weight_quarterly",
    "weight_satisfaction",
    "weight_inspection",
    "min_satisfaction_responses",
    "red_list_size",
    "red_list_min_score",
    "black_list_below",
    "four_star_min",
    "three_star_min",
    "annual_cap",
    "cap_scope",
]


def scheme_copy(*, source: Scheme, year: int | None = None, by=None) -> Scheme:
    """Copy a scheme (numbers, task items, tiers) to `year` (default: the next year)."""
    year = parse_year(year or source.year + 1)
    with transaction.atomic():
        if Scheme.objects.filter(town_id=source.town_id, year=year).exists():
            raise ValidationError(
                _("%(town)s already has a scheme for %(year)s.")
                % {"town": source.town, "year": year}
            )
        scheme = Scheme.objects.create(
            town_id=source.town_id,
            year=year,
            copied_from=source,
            updated_by=by,
            **{name: getattr(source, name) for name in _SCHEME_COPY_FIELDS},
        )
        TaskItem.objects.bulk_create(
            TaskItem(
                scheme=scheme,
                code=i.code,
                title=i.title,
                category=i.category,
                max_points=i.max_points,
                counts_label=i.counts_label,
                order=i.order,
            )
            for i in source.task_items.all()
        )
        TierRow.objects.bulk_create(
            TierRow(scheme=scheme, min_score=t.min_score, percent=t.percent)
            for t in source.tiers.all()
        )
    return scheme


def scheme_validate(*, scheme: Scheme) -> None:
    """Raise one ValidationError listing everything wrong with the scheme and its tables."""
    messages = []
    try:
        scheme.full_clean()
    except ValidationError as error:
        messages.extend(error.messages)
    messages.extend(scheme.validate_tables())
    if messages:
        raise ValidationError(messages)
