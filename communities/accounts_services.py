"""Open accounts (双晒): filing statements, their periods, late ones (owners.md)."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.notifications import notify
from governance.uploads import validate_uploads

from . import roles
from .accounts import FILING_DAYS, AccountStatement, StatementDocument, StatementLine
from .models import Estate, ResidentVerification, ServiceContract, User
from .selectors import committee_estate_ids


def _month_end(day: datetime.date) -> datetime.date:
    nxt = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return nxt - datetime.timedelta(days=1)


def frequency_on(estate: Estate, on: datetime.date) -> str:
    """Monthly where a trust-based contract serves the estate, else quarterly (owners.md)."""
    trust = ServiceContract.objects.active_on(on).filter(estate=estate, kind="trust").exists()
    return AccountStatement.Frequency.MONTHLY if trust else AccountStatement.Frequency.QUARTERLY


def period_of(estate: Estate, day: datetime.date) -> tuple[datetime.date, datetime.date, str]:
    """The statement period containing `day`: (start, end, frequency)."""
    frequency = frequency_on(estate, day)
    if frequency == AccountStatement.Frequency.MONTHLY:
        start = day.replace(day=1)
    else:
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    end = start
    for _month in range(1 if frequency == AccountStatement.Frequency.MONTHLY else 3):
        end = _month_end(end) + datetime.timedelta(days=1)
    return start, end - datetime.timedelta(days=1), frequency


def filer_for(user: User, estate: Estate, on: datetime.date) -> str:
    """Who `user` files for: the company serving the estate (its managers), or the committee
    of an estate not managed by a company (entered by its members with an account, or by the
    community's or town's staff). Else PermissionDenied."""
    contract = (
        ServiceContract.objects.active_on(on)
        .filter(estate=estate)
        .select_related("company")
        .first()
    )
    if contract and roles.holds(user, roles.Role.PROPERTY_MANAGER, company_id=contract.company_id):
        return contract.company.name
    community = estate.community
    if estate.management_form != "company" and (
        user.is_superuser
        or roles.holds(user, roles.Role.TOWNSHIP_STAFF, town_id=community.town_id)
        or roles.holds(user, roles.Role.COMMUNITY_STAFF, community_id=community.pk)
        or estate.pk in committee_estate_ids(user, on)
    ):
        return _("owners' committee")
    raise PermissionDenied


def statement_file(
    *,
    estate: Estate,
    period_start: datetime.date,
    fund_balance: Decimal,
    lines: list[tuple[str, str, Decimal]],
    by: User,
    documents=(),
    note: str = "",
    now: datetime.datetime | None = None,
    is_demo: bool = False,
) -> AccountStatement:
    """File and publish one period's statement with its documents; late when filed after the
    due date (30 days after the period). `lines`: (section, category, amount)."""
    now = now or timezone.now()
    start, end, frequency = period_of(estate, period_start)
    if start != period_start:
        raise ValidationError(
            {"period_start": _("A period starts on %(start)s.") % {"start": start}}
        )
    if end >= timezone.localdate(now):
        raise ValidationError({"period_start": _("The period has not ended yet.")})
    filer = filer_for(by, estate, end)
    sections = set(StatementLine.Section.values)
    if not lines or any(s not in sections for s, _c, _a in lines):
        raise ValidationError({"lines": _("Give at least one line, each with a known section.")})
    validate_uploads(list(documents))
    due = end + datetime.timedelta(days=FILING_DAYS)
    try:
        with transaction.atomic():
            statement = AccountStatement.objects.create(
                estate=estate,
                period_start=start,
                period_end=end,
                frequency=frequency,
                fund_balance=fund_balance,
                note=note,
                filed_by=by,
                filer=filer,
                filed_at=now,
                due_on=due,
                is_late=timezone.localdate(now) > due,
                is_demo=is_demo,
            )
            StatementLine.objects.bulk_create(
                StatementLine(statement=statement, section=s, category=c[:50], amount=a)
                for s, c, a in lines
            )
            for upload in documents:
                document = StatementDocument(statement=statement, original_name=upload.name[:200])
                document.file.save(upload.name, upload, save=False)
                document.save()
    except IntegrityError as error:
        raise ValidationError(_("This period's statement has already been filed.")) from error
    return statement


def statements_for(user):
    """Statements the user may read: residents those of their estates (published to the estate
    only), managers their company's estates, staff their scope."""
    from .scoping import scope_to_staff

    qs = AccountStatement.objects.select_related("estate")
    if roles.is_staff(user) or roles.is_region_staff(user):  # district and city staff read
        return scope_to_staff(qs, user, community_path="estate__community")
    q = Q(pk__in=[])
    if companies := roles.company_ids(user, roles.Role.PROPERTY_MANAGER):
        q |= Q(estate__contracts__company_id__in=companies)
    estates = (
        ResidentVerification.objects.current()
        .filter(user=user)
        .values("household__building__estate_id")
    )
    q |= Q(estate_id__in=estates)
    return qs.filter(q).distinct()


def missing_statements(estates, on: datetime.date, *, periods: int = 4):
    """(estate, period start, due date) of the last `periods` periods past due with no
    statement: flagged to staff as late."""
    missing = []
    for estate in estates:
        filed = set(estate.statements.values_list("period_start", flat=True))
        day = on
        for _n in range(periods):
            start, end, _freq = period_of(estate, day)
            due = end + datetime.timedelta(days=FILING_DAYS)
            if due < on and start not in filed:
                missing.append((estate, start, due))
            day = start - datetime.timedelta(days=1)
    return missing


def flag_missing_statements(*, on: datetime.date | None = None) -> int:
    """Tell the staff of each estate's community and town about statements past due, once per
    user, estate and period (the notification key makes a rerun send nothing twice)."""
    on = on or timezone.localdate()
    estates = (
        Estate.objects.filter(status=Estate.Status.DELIVERED)
        .exclude(management_form="none")
        .select_related("community")
    )
    sent = 0
    for estate, start, due in missing_statements(estates, on):
        sent += notify(
            roles.staff_of_community(estate.community),
            kind="communities.open_accounts",
            key=f"statement-late:{estate.pk}:{start:%Y%m%d}",
            text=_(
                "%(estate)s has not filed its open-account statement from %(start)s (due %(due)s)."
            )
            % {"estate": estate.name, "start": start, "due": due},
            link="/accounts/open-accounts/",
        )
    return sent
