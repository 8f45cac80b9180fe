"""Public pages (no login): the published red list, black list and star table by community, and
each company's history. Only published years are shown."""

import hashlib
from collections import defaultdict

from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

from communities.models import PropertyCompany, Town

from ..models import AnnualResult, Scheme
from ..public_cache import cached_answer, plainly_anonymous

# The ratings page an anonymous reader gets is cached as rendered HTML under the publication
# version (property_rating.public_cache: exact after every publish and reopen); the time limit
# bounds how long a renamed estate or company keeps its old name on the page.
PUBLIC_PAGE_SECONDS = 300
# Stands for the reader's own CSRF token (the language switch's form) in the cached HTML.
CSRF_PLACEHOLDER = "csrf-token-of-this-reader-0c5e1f"
PAGE_PARAMS = {"town", "year"}


def _published_schemes():
    return Scheme.objects.published().select_related("town").order_by("-year", "town__name")


def _chosen_scheme(schemes, town_id, year) -> tuple:
    """The scheme the page shows and whether the year asked for had to be replaced: the town
    asked for (else every town), the year asked for in it, else that town's latest year."""
    in_town = [s for s in schemes if not town_id or str(s.town_id) == town_id] or schemes
    exact = next((s for s in in_town if year and str(s.year) == year), None)
    if exact is not None:
        return exact, False
    return (in_town[0] if in_town else None), bool(year and in_town)


def public_ratings(request):
    """Red list, black list and the star table by community of one published town and year.
    Anonymous readers (no session, no messages) get the cached page with their CSRF token."""
    template = "property_rating/public_ratings.html"
    if request.method == "GET" and set(request.GET) <= PAGE_PARAMS and plainly_anonymous(request):
        path_hash = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"ratings:public-page:{request.LANGUAGE_CODE}:{path_hash}"
        html = cached_answer(
            key,
            lambda: render_to_string(
                template, {**_ratings_context(request), "csrf_token": CSRF_PLACEHOLDER}, request
            ),
            PUBLIC_PAGE_SECONDS,
        )
        response = HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
        # What a rendered page varies on (the session and the language cookie).
        patch_vary_headers(response, ["Cookie"])
        return response
    return render(request, template, _ratings_context(request))


def _ratings_context(request) -> dict:
    schemes = list(_published_schemes())
    scheme, asked_year_missing = _chosen_scheme(
        schemes, request.GET.get("town"), request.GET.get("year")
    )
    context = {
        "schemes": schemes,
        "scheme": scheme,
        # The selector always shows the year displayed; a year asked for but not published
        # (or not for that town) is said in words instead of silently showing another.
        "asked_year_missing": asked_year_missing,
        "towns": Town.objects.filter(pk__in={s.town_id for s in schemes}),
    }
    if scheme is not None:
        results = list(
            AnnualResult.objects.filter(unit__town_id=scheme.town_id, unit__year=scheme.year)
            .select_related("unit__estate__community", "unit__company")
            .order_by("rank", "unit__estate__name")
        )
        by_community = defaultdict(list)
        for r in sorted(results, key=lambda r: (-r.stars, r.rank or 10**6, r.unit.estate.name)):
            by_community[r.unit.estate.community.name].append(r)
        star_counts = {n: sum(1 for r in results if r.stars == n) for n in (5, 4, 3, 0)}
        context.update(
            red=[r for r in results if r.list_name == AnnualResult.ListName.RED],
            black=[r for r in results if r.list_name == AnnualResult.ListName.BLACK],
            by_community=sorted(by_community.items()),
            star_counts=star_counts,
            total=len(results),
        )
    return context


def public_company(request, pk):
    """A company's published results over the years."""
    company = get_object_or_404(PropertyCompany, pk=pk)
    results = list(
        AnnualResult.objects.published()
        .filter(unit__company=company)
        .select_related("unit__estate__community", "unit__town")
        .order_by("-unit__year", "unit__estate__name")
    )
    if not results and not request.user.is_authenticated:
        # Nothing published about this company: the same answer as an unknown company.
        raise Http404
    return render(
        request, "property_rating/public_company.html", {"company": company, "results": results}
    )
