from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from .. import roles
from ..models import Region, Town
from . import services
from .forms import BulletinForm
from .models import Bulletin


def _readable(user):
    if user.is_superuser:
        return Bulletin.objects.all()
    ids = roles.region_ids(user)
    if not ids:
        raise PermissionDenied
    return Bulletin.objects.filter(region_id__in=ids) | Bulletin.objects.filter(
        region__city_id__in=ids
    )


@login_required
def bulletin_list(request):
    bulletins = _readable(request.user).select_related("region").order_by("-issued_at")[:200]
    own = Region.objects.filter(pk__in=roles.region_ids(request.user)).order_by("name")
    return render(
        request,
        "communities/bulletins/list.html",
        {"bulletins": bulletins, "regions": own},
    )


@login_required
def bulletin_new(request, region_id: int):
    region = get_object_or_404(Region, pk=region_id)
    if not services.may_issue(request.user, region):
        raise Http404
    towns = list(Town.objects.in_region(region).order_by("name"))
    form = BulletinForm(request.POST or None, towns=towns)
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = services.bulletin_issue(region=region, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            return redirect("bulletins:bulletin-detail", pk=bulletin.pk)
    return render(request, "communities/bulletins/form.html", {"form": form, "region": region})


def _bulletin(request, pk: int) -> Bulletin:
    bulletin = get_object_or_404(Bulletin.objects.select_related("region", "issued_by"), pk=pk)
    if not services.may_read(request.user, bulletin.region):
        raise Http404
    return bulletin


@login_required
def bulletin_detail(request, pk: int):
    bulletin = _bulletin(request, pk)
    return render(
        request,
        "communities/bulletins/detail.html",
        {"bulletin": bulletin, **services.rows_of(bulletin)},
    )


@login_required
def bulletin_pdf(request, pk: int):
    bulletin = _bulletin(request, pk)
    response = HttpResponse(services.bulletin_pdf(bulletin), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bulletin-{bulletin.pk}.pdf"'
    return response
