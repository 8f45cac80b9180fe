"""Open311 GeoReport v2 endpoints under /open311/v2/ (JSON only; errors as the standard's
[{"code": ..., "description": ...}] with the same HTTP status). Thin: parsing and answers here,
the case is filed by services.case_receive."""

import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.throttling import SimpleRateThrottle

from communities.models import Building, Estate, Household, Town

from .. import open311
from ..models import Case, CaseCategory
from ..selectors import open311_requests
from ..services import case_receive

MAX_RESULTS = 1000
DEFAULT_DAYS = 90  # GeoReport v2: requests.json defaults to the most recent 90 days


def error(status: int, description: str) -> JsonResponse:
    return JsonResponse([{"code": status, "description": description}], status=status, safe=False)


class Refused(Exception):
    def __init__(self, status: int, description: str):
        self.status, self.description = status, description


def _json_only(fmt: str):
    if fmt != "json":
        raise Refused(400, "Only the json format is supported.")


def _town(params) -> Town:
    value = (params.get("jurisdiction_id") or "").strip()
    if not value:
        towns = list(Town.objects.all()[:2])
        if len(towns) == 1:
            return towns[0]
        raise Refused(400, "jurisdiction_id is required: the id of the town.")
    if not value.isdigit():
        raise Refused(400, "jurisdiction_id is the id of a town (a number).")
    town = Town.objects.filter(pk=int(value)).first()
    if town is None:
        raise Refused(404, "Unknown jurisdiction_id.")
    return town


class Open311Throttle(SimpleRateThrottle):
    """Per client address (as REST_FRAMEWORK["NUM_PROXIES"] says), reads and writes counted
    apart. It keeps its counts in the default cache, which degrades (governance/cache.py): with
    Redis down the count reads as empty, so requests are answered, unthrottled, never a 500."""

    def __init__(self, method: str):
        self.scope = "open311_write" if method == "POST" else "open311_read"
        super().__init__()

    def get_rate(self):
        return settings.OPEN311_RATES[self.scope]

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _answer(view):
    def wrapped(request, *args, **kwargs):
        throttle = Open311Throttle(request.method)
        if not throttle.allow_request(request, None):
            response = error(429, "Too many requests; try again later.")
            response["Retry-After"] = str(int(throttle.wait() or 1))
            return response
        try:
            return view(request, *args, **kwargs)
        except Refused as refused:
            return error(refused.status, refused.description)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_GET
@_answer
def services(request, fmt):
    _json_only(fmt)
    town = _town(request.GET)
    categories = CaseCategory.objects.filter(town=town).order_by("code")
    return JsonResponse([open311.service(c) for c in categories], safe=False)


@require_GET
@_answer
def service_definition(request, code, fmt):
    _json_only(fmt)
    town = _town(request.GET)
    if not CaseCategory.objects.filter(town=town, code=code).exists():
        raise Refused(404, "Unknown service_code.")
    # No service takes extra attributes (metadata is false for every service).
    return JsonResponse({"service_code": code, "attributes": []})


def _w3(value: str, name: str) -> datetime.datetime:
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise Refused(400, f"{name} is not a W3C datetime, e.g. 2026-01-01T00:00:00Z.") from err
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=open311.SHANGHAI)
    return parsed


def _details_allowed(request, town: Town) -> bool:
    return open311.key_town_id(request.GET.get("api_key")) == town.pk


@csrf_exempt  # clients authenticate with api_key, never with cookies
@require_http_methods(["GET", "POST"])
@_answer
def requests_view(request, fmt):
    _json_only(fmt)
    if request.method == "POST":
        return _create(request)
    params = request.GET
    town = _town(params)
    cases = open311_requests(town_id=town.pk)
    if params.get("service_request_id"):
        ids = [i.strip() for i in params["service_request_id"].split(",") if i.strip()]
        if not all(i.isdigit() for i in ids):
            raise Refused(400, "service_request_id is a comma-separated list of numbers.")
        cases = cases.filter(pk__in=[int(i) for i in ids])
    else:
        if params.get("service_code"):
            cases = cases.filter(category__code__in=params["service_code"].split(","))
        end = _w3(params["end_date"], "end_date") if params.get("end_date") else None
        start = _w3(params["start_date"], "start_date") if params.get("start_date") else None
        if start is None and end is None:
            from django.utils import timezone

            start = timezone.now() - datetime.timedelta(days=DEFAULT_DAYS)
        if start:
            cases = cases.filter(received_at__gte=start)
        if end:
            cases = cases.filter(received_at__lte=end)
        statuses = set((params.get("status") or "").split(",")) - {""}
        if statuses - {"open", "closed"}:
            raise Refused(400, "status is open, closed or both.")
        if statuses == {"open"}:
            cases = cases.exclude(state=Case.State.CLOSED)
        elif statuses == {"closed"}:
            cases = cases.filter(state=Case.State.CLOSED)
    details = _details_allowed(request, town)
    return JsonResponse(
        [open311.request_answer(c, with_details=details) for c in cases[:MAX_RESULTS]], safe=False
    )


@require_GET
@_answer
def request_detail(request, pk, fmt):
    _json_only(fmt)
    town = _town(request.GET)
    case = open311_requests(town_id=town.pk).filter(pk=pk).first()
    if case is None:
        raise Refused(404, "Unknown service_request_id.")
    details = _details_allowed(request, town)
    return JsonResponse([open311.request_answer(case, with_details=details)], safe=False)


def _decimal(value: str, name: str, limit: int):
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation as err:
        raise Refused(400, f"{name} is not a number.") from err
    if not number.is_finite() or abs(number) > limit:
        raise Refused(400, f"{name} is out of range.")
    return number.quantize(Decimal("0.000001"))


def _place(town: Town, data):
    """(estate, building, household) named by address_id or address_string."""
    estates = Estate.objects.filter(community__town=town).select_related("community")
    if data.get("address_id"):
        value = data["address_id"].strip()
        estate = estates.filter(pk=int(value)).first() if value.isdigit() else None
        if estate is None:
            raise Refused(400, "address_id is not an estate of this jurisdiction.")
        return estate, None, None
    parts = (data.get("address_string") or "").split()
    if not parts:
        raise Refused(400, "Give the estate as address_id or address_string.")
    if len(parts) > 3:
        raise Refused(400, "address_string is '<estate> [<building> [<room>]]'.")
    estate = estates.filter(name=parts[0]).first()
    if estate is None:
        raise Refused(400, "address_string names no estate of this jurisdiction.")
    building = household = None
    if len(parts) > 1:
        building = Building.objects.filter(estate=estate, name=parts[1]).first()
        if building is None:
            raise Refused(400, "address_string names no building of the estate.")
    if len(parts) > 2:
        household = Household.objects.filter(building=building, room=parts[2]).first()
        if household is None:
            raise Refused(400, "address_string names no room of the building.")
    return estate, building, household


def _create(request):
    data = request.POST
    town = _town(data)
    key_town = open311.key_town_id(data.get("api_key"))
    if key_town is None:
        raise Refused(403, "A valid api_key is required to submit a request.")
    if key_town != town.pk:
        raise Refused(403, "The api_key is not for this jurisdiction.")
    code = (data.get("service_code") or "").strip()
    category = CaseCategory.objects.filter(town=town, code=code).first()
    if category is None:
        raise Refused(400, "service_code is missing or unknown.")
    description = (data.get("description") or "").strip()
    if not description:
        raise Refused(400, "description is required.")
    if len(description) > 4000:
        raise Refused(400, "description is longer than 4000 characters.")
    estate, building, household = _place(town, data)
    lat = _decimal(data.get("lat", ""), "lat", 90)
    long = _decimal(data.get("long", ""), "long", 180)
    name = " ".join(p for p in (data.get("last_name", ""), data.get("first_name", "")) if p)
    first_line = description.splitlines()[0][:120]
    try:
        case = case_receive(
            estate=estate,
            building=building,
            household=household,
            category=category,
            title=first_line,
            description=description,
            source=Case.Source.API,
            caller_name=name.strip()[:50],
            caller_phone=(data.get("phone") or "")[:20],
            caller_email=(data.get("email") or "")[:254],
            lat=lat,
            long=long,
            via="open311",
        )
    except ValidationError as err:
        raise Refused(400, " ".join(err.messages)) from err
    return JsonResponse(
        [{"service_request_id": str(case.pk), "service_notice": "", "account_id": None}],
        status=201,
        safe=False,
    )
