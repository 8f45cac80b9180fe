import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.uploads import private_file_response

from . import roles, selectors, services
from .forms import VerificationDecisionForm, VerificationRequestForm
from .models import Region, ResidentVerification, User
from .privacy import mask_phone

# In this order: a user holding several roles sees the home of the first one held.
HOME_TEMPLATES = {
    User.Role.TOWNSHIP_STAFF: "portal/home_township_staff.html",
    User.Role.COMMUNITY_STAFF: "portal/home_community_staff.html",
    User.Role.ASSESSOR: "portal/home_assessor.html",
    User.Role.PROPERTY_MANAGER: "portal/home_property_manager.html",
    User.Role.RESIDENT: "portal/home_resident.html",
    User.Role.DEPARTMENT_STAFF: "portal/home_department_staff.html",
}


def home(request):
    """The portal's home: the public landing page, or the signed-in role's own home."""
    if not request.user.is_authenticated:
        return render(request, "portal/home_public.html")
    user = request.user
    template = next(
        (page for role, page in HOME_TEMPLATES.items() if roles.holds(user, role)),
        "portal/home_public.html",
    )
    if user.is_superuser:
        template = HOME_TEMPLATES[User.Role.TOWNSHIP_STAFF]
    elif template == "portal/home_public.html" and roles.is_region_staff(user):
        return _region_home(request)
    is_resident = user.has_perm("communities.request_verification")
    context = {"household": user.verified_household if is_resident else None}
    if is_resident:
        context["pending_verification"] = (
            ResidentVerification.objects.filter(
                user=user, status=ResidentVerification.Status.PENDING
            )
            .select_related("household__building__estate")
            .first()
        )
    return render(request, template, context)


def _region_home(request):
    """District and city staff: their region's figures, bulletins and read-only records."""
    region = Region.objects.filter(pk__in=roles.region_ids(request.user)).order_by("pk").first()
    if region is None:
        return render(request, "portal/home_public.html")
    return render(
        request,
        "portal/home_region_staff.html",
        {
            "region": region,
            "region_param": "city" if region.is_city else "district",
            "role_label": _("city staff") if region.is_city else _("district staff"),
        },
    )


@login_required
def staff_overview(request):
    if not request.user.has_perm("communities.view_staff_overview"):
        raise PermissionDenied
    today = timezone.localdate()
    rows = selectors.staff_overview(user=request.user, on=today)
    totals = {
        key: sum(row[key] for row in rows)
        for key in (
            "planned",
            "under_construction",
            "delivered",
            "residents",
            "planned_households",
            "households",
            "three_without",
            "old",
        )
    }
    return render(
        request, "communities/staff_overview.html", {"rows": rows, "totals": totals, "today": today}
    )


@login_required
def verification_request(request):
    if not request.user.has_perm("communities.request_verification"):
        raise PermissionDenied
    form = VerificationRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verification_request(
                user=request.user,
                household=form.cleaned_data["household"],
                resident_name=form.cleaned_data["resident_name"],
                note=form.cleaned_data["note"],
                relation=form.cleaned_data["relation"],
                certificate=form.cleaned_data.get("certificate"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your request was sent to community staff."))
            return redirect("home")
    return render(request, "communities/verification_request.html", {"form": form})


@login_required
def verification_queue(request):
    if not request.user.has_perm("communities.decide_verification"):  # assessors verify no one
        raise PermissionDenied
    rows = []
    for verification in selectors.pending_verifications(user=request.user):
        others = verification.household.open_verifications
        rows.append(
            {
                "claim": verification,
                "phone": mask_phone(verification.user.phone),
                "registered": [
                    o for o in others if o.status == ResidentVerification.Status.APPROVED
                ],
                "waiting": [
                    o
                    for o in others
                    if o.status == ResidentVerification.Status.PENDING and o.pk != verification.pk
                ],
            }
        )
    return render(
        request,
        "communities/verification_queue.html",
        {"rows": rows, "verifications": rows, "form": VerificationDecisionForm()},
    )


@login_required
@require_POST
def verification_decide(request, pk: int):
    if not request.user.has_perm("communities.decide_verification"):  # assessors verify no one
        raise PermissionDenied
    verification = get_object_or_404(selectors.pending_verifications(user=request.user), pk=pk)
    form = VerificationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("verification-queue")
    try:
        services.verification_decide(
            verification=verification,
            by=request.user,
            approve=form.cleaned_data["approve"],
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("verification-queue")


@login_required
def verification_certificate(request, pk: int):
    """The ownership evidence of a pending request, to the staff who decide it."""
    if not request.user.has_perm("communities.decide_verification"):
        raise PermissionDenied
    verification = get_object_or_404(selectors.pending_verifications(user=request.user), pk=pk)
    if not verification.certificate:
        raise Http404
    return private_file_response(
        verification.certificate, "certificate" + os.path.splitext(verification.certificate.name)[1]
    )
