"""Case pages: the queues (handlers, dispatchers, the joint meeting's agenda), a case's page
with the actions the user may take, resident filing in the phone portal, and the figures.
Views parse input, ask rules, call one service and render."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from communities.departments import Department
from communities.models import Community, Estate, PropertyCompany, ServiceContract, Town
from communities.privacy import mask_phone
from communities.roles import Role, holds, town_ids
from governance.charts import bar_chart
from governance.idempotency import once_per_form_token
from governance.uploads import private_file_response

from . import deadlines, selectors, services
from . import figures as figures_mod
from .forms import (
    CaseFileForm,
    DecisionForm,
    IntakeForm,
    MeetingForm,
    RateForm,
    ReasonForm,
    ReassignForm,
    ReplyForm,
)
from .models import Case, CaseCategory, CasePhoto, JointMeeting, Level

SCOPE_LABELS = {
    "estate": _lazy("estate"),
    "community": _lazy("community"),
    "department": _lazy("department"),
    "company": _lazy("property company"),
    "town": _lazy("town"),
}


def _error_text(error) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _visible_case(request, pk: int) -> Case:
    case = selectors.case_detail(pk)
    if case is None or not request.user.has_perm("deliberation.view_case", case):
        raise Http404
    return case


@login_required
def queue(request):
    user = request.user
    context = {
        "handling": selectors.handler_queue(user),
        "dispatching": selectors.dispatch_queue(user),
        "agenda": selectors.meeting_agenda_for(user),
        "flagged": selectors.flagged_for(user),
        "mine": selectors.cases_of_reporter(user)[:50],
        "can_file": user.verified_household is not None,
        "now": timezone.now(),
        "calendar_warning": deadlines.staff_warning() if town_ids(user) else "",
        "meeting_link": bool(town_ids(user, Role.TOWNSHIP_STAFF)),
    }
    return render(request, "cases/queue.html", context)


def _reassign_form(case, data=None):
    contract = (
        ServiceContract.objects.active_on(timezone.localdate())
        .filter(estate_id=case.estate_id)
        .select_related("company")
        .first()
    )
    return ReassignForm(
        data,
        case=case,
        company=contract.company if contract else None,
        departments=Department.objects.filter(town_id=case.town_id).order_by("name"),
    )


@login_required
def detail(request, pk: int):
    case = _visible_case(request, pk)
    user = request.user
    perms = {
        name: user.has_perm(f"deliberation.{name}_case", case)
        for name in ("accept", "return", "reply", "escalate", "dispatch", "rate", "callback")
    }
    assignments = list(case.assignments.all())
    current = next((a for a in assignments if a.ended_at is None), None)
    context = {
        "case": case,
        "assignments": assignments,
        "current": current,
        "events": case.events.all(),
        "replies": case.replies.all(),
        "photos": case.photos.all(),
        "can": perms,
        "reason_form": ReasonForm(),
        "reply_form": ReplyForm(),
        "rate_form": RateForm(),
        "reassign_form": _reassign_form(case) if perms["dispatch"] else None,
        "awaiting_dispatch": case.state == Case.State.RECEIVED and current is None,
        "duplicates": (
            services.possible_duplicates(
                estate=case.estate, category=case.category, at=case.received_at, exclude_pk=case.pk
            )
            if perms["dispatch"] and case.state != Case.State.CLOSED
            else []
        ),
        # The caller of a phone or hotline case is personal data: dispatchers (who call back)
        # see the name and the masked number, nobody else sees either.
        "caller": (
            {"name": case.caller_name, "phone": mask_phone(case.caller_phone)}
            if perms["callback"] and (case.caller_name or case.caller_phone)
            else None
        ),
    }
    return render(request, "cases/detail.html", context)


ACTIONS = {
    "accept": "accept",
    "return": "return",
    "reply": "reply",
    "escalate": "escalate",
    "rate": "rate",
    "callback": "callback",
    "reassign": "dispatch",
    "merge": "merge",
    "proposal": "case_to_proposal",
}


def _perm(action: str) -> str:
    name = ACTIONS[action]
    return f"deliberation.{name}" if name == "case_to_proposal" else f"deliberation.{name}_case"


@login_required
@require_POST
def action(request, pk: int):
    case = _visible_case(request, pk)
    name = request.POST.get("action", "")
    if name not in ACTIONS:
        raise Http404
    if not request.user.has_perm(_perm(name), case):
        raise PermissionDenied
    user = request.user
    try:
        if name == "accept":
            services.case_accept(case=case, by=user)
        elif name in ("return", "escalate"):
            form = ReasonForm(request.POST)
            reason = form.data.get("reason", "")
            service = services.case_return if name == "return" else services.case_escalate
            service(case=case, by=user, reason=reason)
        elif name == "reply":
            form = ReplyForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            services.case_reply(
                case=case, by=user, text=form.cleaned_data["text"],
                evidence=form.cleaned_data["evidence"],
            )  # fmt: skip
        elif name in ("rate", "callback"):
            form = RateForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            services.case_rate(
                case=case, by=user, rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"], callback=name == "callback",
            )  # fmt: skip
        elif name == "reassign":
            form = _reassign_form(case, request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            kind, _sep, ident = form.cleaned_data["handler"].partition(":")
            model = {"company": PropertyCompany, "community": Community, "department": Department}
            handler = model[kind].objects.get(pk=int(ident))
            services.case_reassign(
                case=case, by=user, level=ReassignForm.LEVELS[kind],
                reason=form.cleaned_data["reason"], **{kind: handler},
            )  # fmt: skip
        elif name == "merge":
            into = selectors.case_detail(int(request.POST.get("into") or 0))
            if into is None or not user.has_perm("deliberation.merge_case", into):
                raise ValidationError(_("Choose a case of your own to keep."))
            services.case_merge(duplicate=case, into=into, by=user)
        elif name == "proposal":
            services.case_to_proposal(case=case, by=user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Done."))
    return redirect("cases:case-detail", pk=case.pk)


def _intake_scope(user):
    """(estates, categories, source) a staff member or property manager may file for."""
    from communities.roles import community_ids, company_ids

    towns = town_ids(user, Role.TOWNSHIP_STAFF)
    communities = community_ids(user, Role.COMMUNITY_STAFF)
    if towns or communities:
        estates = Estate.objects.filter(
            Q(community__town_id__in=towns) | Q(community_id__in=communities)
        )
        categories = CaseCategory.objects.filter(
            Q(town_id__in=towns) | Q(town__communities__in=communities)
        ).distinct()
        return estates, categories, Case.Source.STAFF
    companies = company_ids(user, Role.PROPERTY_MANAGER)
    if companies:
        # Managers file estate-level cases of the estates their company serves today.
        serving = ServiceContract.objects.active_on(timezone.localdate()).filter(
            company_id__in=companies
        )
        estates = Estate.objects.filter(pk__in=serving.values("estate_id"))
        categories = CaseCategory.objects.filter(
            town__communities__estates__in=estates, first_level=Level.ESTATE
        ).distinct()
        return estates, categories, Case.Source.COMPANY
    return None


def _file_for_staff(request, scope):
    estates, categories, source = scope
    form = IntakeForm(
        request.POST or None,
        request.FILES or None,
        estates=estates.select_related("community").order_by("name"),
        categories=categories.order_by("code"),
        phone_fields=source == Case.Source.STAFF,
    )
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        estate = data["estate"]
        duplicates = list(
            services.possible_duplicates(estate=estate, category=data["category"])[:5]
        )
        if duplicates and not data["file_anyway"]:
            form.add_error(None, _("Similar cases are open in this estate: check them first."))
        else:
            try:
                case = services.case_receive(
                    estate=estate, category=data["category"], title=data["title"],
                    description=data["description"], source=source, urgent=data["urgent"],
                    caller_name=data.get("caller_name", ""),
                    caller_phone=data.get("caller_phone", ""),
                    photos=data["photos"], by=request.user,
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, _("The case was filed."))
                return redirect("cases:case-detail", pk=case.pk)
    form.offer_file_anyway(duplicates)
    return render(request, "cases/file.html", {"form": form, "duplicates": duplicates})


@login_required
@once_per_form_token
def file_case(request):
    """File a case: a verified resident for their estate (building and room from the household),
    staff for any estate of their scope (also a phone call), a property manager for the
    estates their company serves (estate-level categories). A possible duplicate is offered
    before saving. A double submission (the form's one-time token) files once."""
    user = request.user
    scope = _intake_scope(user)
    if scope is not None:
        return _file_for_staff(request, scope)
    if not holds(user, Role.RESIDENT):
        raise PermissionDenied
    household = user.verified_household
    if household is None:
        return render(request, "cases/not_verified.html", status=403)
    estate = household.building.estate
    form = CaseFileForm(
        request.POST or None, request.FILES or None, town_id=estate.community.town_id
    )
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = list(
            services.possible_duplicates(estate=estate, category=data["category"])[:5]
        )
        if duplicates and not data["file_anyway"]:
            form.add_error(None, _("Similar cases are open in your estate: check them first."))
        else:
            try:
                case = services.case_receive(
                    estate=estate, building=household.building, household=household,
                    category=data["category"], title=data["title"],
                    description=data["description"], source=Case.Source.PORTAL,
                    reporter=user, photos=data["photos"],
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, _("Your case was filed."))
                return redirect("cases:case-detail", pk=case.pk)
    form.offer_file_anyway(duplicates)
    return render(request, "cases/file.html", {"form": form, "duplicates": duplicates})


@login_required
def photo(request, pk: int):
    item = CasePhoto.objects.select_related("case").filter(pk=pk).first()
    if item is None or not request.user.has_perm("deliberation.view_case", item.case):
        raise Http404
    return private_file_response(item.file, item.original_name or "photo")


def _figure_scopes(user) -> dict:
    """{scope: allowed keys or None for all of the town} this user may see, and the town."""
    from communities.departments import department_ids
    from communities.roles import community_ids, company_ids

    from ..rules import resident_estate_id

    towns = town_ids(user, Role.TOWNSHIP_STAFF)
    if towns:
        town_id = min(towns)
        return town_id, dict.fromkeys(figures_mod.SCOPES)
    communities = community_ids(user, Role.COMMUNITY_STAFF)
    if communities:
        town_id = (
            Community.objects.filter(pk__in=communities).values_list("town_id", flat=True).first()
        )
        estates = list(
            Estate.objects.filter(community_id__in=communities).values_list("pk", flat=True)
        )
        return town_id, {"estate": estates, "community": sorted(communities)}
    departments = department_ids(user)
    if departments:
        town_id = (
            Department.objects.filter(pk__in=departments).values_list("town_id", flat=True).first()
        )
        return town_id, {"department": sorted(departments)}
    companies = company_ids(user, Role.PROPERTY_MANAGER)
    if companies:
        return None, {"company": sorted(companies)}
    estate_id = resident_estate_id(user)
    if estate_id:
        return None, {"estate": [estate_id]}
    raise PermissionDenied


def _names(scope: str, keys) -> dict:
    model = {
        "estate": Estate,
        "community": Community,
        "department": Department,
        "company": PropertyCompany,
        "town": Town,
    }[scope]
    return dict(model.objects.filter(pk__in=list(keys)).values_list("pk", "name"))


def _figure_area(user, params):
    """The town, district or city asked with town=, district= or city= (regions.md: the same
    pages serve a region): district and city staff read their own region (and the districts and
    towns below it), township staff their own towns; anything else is a 404. None when no area
    is asked and the user holds no region grant (the page then shows the user's own scopes).
    Raises ValidationError naming the parameter on a bad name."""
    from communities import roles, scoping
    from communities.models import Region
    from communities.regions import Area, area_from_params

    area = area_from_params(params)
    region_ids = roles.region_ids(user)
    if area is None:
        if region_ids and not town_ids(user, Role.TOWNSHIP_STAFF):
            return Area(region=Region.objects.get(pk=min(region_ids)))
        return None
    return scoping.readable_area(user, area, Role.TOWNSHIP_STAFF)


@login_required
def figures(request):
    """Figures per estate, community, department, company or town, per month or quarter over
    the last twelve months, with charts; each role sees its own scopes (a resident: the
    estate's), district and city staff their region's (district= / city=), counted over all its
    towns' cases. A constant number of queries whatever the number of cases."""
    try:
        area = _figure_area(request.user, request.GET)
    except ValidationError as error:
        return HttpResponseBadRequest(
            escape("; ".join(f"{key}: {' '.join(m)}" for key, m in error.message_dict.items())),
            content_type="text/plain; charset=utf-8",
        )
    area_town_ids = None
    if area is None:
        town_id, scopes = _figure_scopes(request.user)
    else:
        town_id, scopes = None, dict.fromkeys(figures_mod.SCOPES)
        area_town_ids = area.town_ids()
    scope = request.GET.get("scope") or next(iter(scopes))
    if scope not in scopes:
        raise PermissionDenied
    period = request.GET.get("period") or "month"
    if period not in figures_mod.PERIODS:
        period = "month"
    today = timezone.localdate()
    start = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    if period == "quarter":
        start = figures_mod.quarter_of(start)[0]
    data = figures_mod.case_figures(
        scope=scope,
        period=period,
        start=start,
        end=today,
        town_id=town_id,
        keys=scopes[scope],
        town_ids=area_town_ids,
    )
    names = _names(scope, {key for key, _p in data})
    periods = sorted({p for _k, p in data}, reverse=True)
    rows = [
        {"name": names.get(key, key), "period": p, **values}
        for (key, p), values in sorted(
            data.items(), key=lambda item: (-item[0][1].toordinal(), str(names.get(item[0][0])))
        )
    ]
    latest = periods[0] if periods else None
    latest_rows = [r for r in rows if r["period"] == latest]
    by_period: dict = {}
    for r in rows:
        by_period[r["period"]] = by_period.get(r["period"], 0) + r["received"]
    label = "%Y-%m" if period == "month" else "%Y"
    charts = [
        bar_chart(
            _("Cases received per period"),
            [
                (
                    p.strftime(label)
                    + ("" if period == "month" else f" Q{(p.month - 1) // 3 + 1}"),
                    n,
                )
                for p, n in sorted(by_period.items())
            ],
        ),
        bar_chart(
            _("Replied on time, latest period"),
            [(r["name"], r["replied_on_time_pct"] or 0) for r in latest_rows[:20]],
            unit="%",
        ),
        bar_chart(
            _("Satisfaction, latest period"),
            [(r["name"], r["satisfaction_pct"] or 0) for r in latest_rows[:20]],
            unit="%",
        ),
        bar_chart(_("Overdue now"), [(r["name"], r["overdue_now"]) for r in latest_rows[:20]]),
    ]
    return render(
        request,
        "cases/figures.html",
        {
            "rows": rows,
            "charts": charts,
            "scope": scope,
            "period": period,
            "scopes": [(s, SCOPE_LABELS[s]) for s in scopes],
            "periods": [("month", _("month")), ("quarter", _("quarter"))],
            "area": area,
            "area_param": _area_param(area, request.GET),
        },
    )


def _area_param(area, params) -> tuple[str, str] | None:
    """The (name, value) to keep in the filter form, so changing the scope keeps the area."""
    if area is None:
        return None
    for key in ("town", "district", "city"):
        if (params.get(key) or "").strip():
            return key, params[key]
    return None


def _meeting_town(request) -> int:
    towns = town_ids(request.user, Role.TOWNSHIP_STAFF)
    if not towns:
        raise PermissionDenied
    return min(towns)


@login_required
def meetings(request):
    """Township staff: the joint meeting's agenda, past meetings, and recording a new one."""
    town_id = _meeting_town(request)
    form = MeetingForm(request.POST or None, town_id=town_id)
    if request.method == "POST" and form.is_valid():
        from communities.models import Town

        meeting = services.meeting_record(
            town=Town.objects.get(pk=town_id), by=request.user, **form.cleaned_data
        )
        return redirect("cases:case-meeting", pk=meeting.pk)
    context = {
        "form": form,
        "agenda": selectors.meeting_agenda_for(request.user),
        "meetings": JointMeeting.objects.filter(town_id=town_id).order_by("-date", "-pk")[:50],
    }
    return render(request, "cases/meetings.html", context)


@login_required
def meeting(request, pk: int):
    """A meeting's page: a decision form per case of the agenda (one at a time, by POST)."""
    _meeting_town(request)
    meeting = JointMeeting.objects.filter(
        pk=pk, town_id__in=town_ids(request.user, Role.TOWNSHIP_STAFF)
    ).first()
    if meeting is None:
        raise Http404
    town_id = meeting.town_id
    form = DecisionForm(request.POST or None, town_id=town_id)
    if request.method == "POST":
        case = (
            selectors.meeting_agenda_for(request.user)
            .filter(pk=request.POST.get("case") or 0)
            .first()
        )
        if case is None:
            raise Http404
        if form.is_valid():
            try:
                services.meeting_decide(
                    meeting=meeting, case=case, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("cases:case-meeting", pk=meeting.pk)
        else:
            messages.error(request, form.errors.as_text())
    context = {
        "meeting": meeting,
        "agenda": selectors.meeting_agenda_for(request.user).filter(town_id=meeting.town_id),
        "decisions": meeting.decisions.select_related("case", "lead_department", "assignment"),
        "form": DecisionForm(town_id=town_id),
    }
    return render(request, "cases/meeting.html", context)
