"""Retries never duplicate what users submit (issue 10, item 11).

API: a creating endpoint takes an `Idempotency-Key` header, per user and endpoint (method and
path). The first request with a key runs and its answer is kept in PostgreSQL
(governance.models.IdempotencyKey); the same key with the same body answers that answer again
for IDEMPOTENCY_KEY_HOURS, with `Idempotent-Replayed: true`; the same key with another body
answers 422.

Concurrency: the request runs in one transaction with the key's row, inserted first. A second
request with the same key blocks on that insert (PostgreSQL's unique index) until the first
commits, then answers the first's answer: it waits, never runs twice. If the first fails (5xx
or an exception) its transaction, the key row with it, rolls back and the waiting one runs.

Portal forms: `{% once_token %}` puts a one-time token (a hidden field) in the form and
`@once_per_form_token` on the view treats it as the key: a double-click's second POST gets the
first's redirect.
"""

import hashlib
import json
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
META_HEADER = "HTTP_IDEMPOTENCY_KEY"
FORM_FIELD = "once_token"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255

SCHEMA_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique value per intended write (e.g. a UUID). Retrying with the same key and body "
        "answers the first answer again for 24 hours (header `Idempotent-Replayed: true`) "
        "instead of writing twice; the same key with another body answers 422."
    ),
)


def keep_hours() -> int:
    return int(getattr(settings, "IDEMPOTENCY_KEY_HOURS", 24))


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used with another request body."
    default_code = "idempotency_key_reused"


def _digest_value(value, hasher) -> None:
    if hasattr(value, "chunks"):  # an uploaded file: its name and content, not its object
        hasher.update(b"file:" + str(getattr(value, "name", "")).encode())
        for chunk in value.chunks():
            hasher.update(chunk)
        value.seek(0)
    else:
        hasher.update(json.dumps(value, cls=JSONEncoder, sort_keys=True).encode())
    hasher.update(b"\0")


def fingerprint(data) -> str:
    """The parsed body, not its bytes: a multipart retry has a fresh boundary but the same
    fields and files."""
    hasher = hashlib.sha256()
    if hasattr(data, "lists"):  # QueryDict / MultiValueDict
        items = sorted(data.lists(), key=lambda pair: pair[0])
    elif isinstance(data, dict):
        items = sorted(data.items(), key=lambda pair: str(pair[0]))
    else:
        items = [("", data)]
    for name, value in items:
        hasher.update(str(name).encode() + b"=")
        for part in value if isinstance(value, list) else [value]:
            _digest_value(part, hasher)
    return hasher.hexdigest()


def _claim(*, user, endpoint: str, key: str, print_: str):
    """(row, None) when this request runs; (None, row) when an earlier one answered.
    Must run inside a transaction: the insert blocks while another holds the same key."""
    cutoff = timezone.now() - timedelta(hours=keep_hours())
    IdempotencyKey.objects.filter(
        user=user, endpoint=endpoint, key=key, created_at__lt=cutoff
    ).delete()
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                user=user, endpoint=endpoint, key=key, fingerprint=print_
            )
        return row, None
    except IntegrityError:
        earlier = IdempotencyKey.objects.get(user=user, endpoint=endpoint, key=key)
        return None, earlier


def prune() -> int:
    cutoff = timezone.now() - timedelta(hours=keep_hours())
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _valid_key(value: str) -> str:
    key = value.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise exceptions.ValidationError(
            {HEADER: [_("Give 1 to %(max)s characters.") % {"max": MAX_KEY_LENGTH}]}
        )
    return key


class IdempotentMixin:
    """For DRF views: every POST of the view honours `Idempotency-Key` (see the module)."""

    idempotent_methods = ("POST",)

    def _wants_idempotency(self, request) -> bool:
        return request.method in self.idempotent_methods and META_HEADER in request.META

    def dispatch(self, request, *args, **kwargs):
        self._idempotency_row = None
        if not self._wants_idempotency(request):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            row = self._idempotency_row
            if row is not None:
                if response.status_code >= 500:
                    transaction.set_rollback(True)  # the key is free for the retry
                else:
                    data = getattr(response, "data", None)
                    row.status_code = response.status_code
                    row.response_body = (
                        None if data is None else json.loads(json.dumps(data, cls=JSONEncoder))
                    )
                    row.save(update_fields=["status_code", "response_body"])
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not self._wants_idempotency(request) or not request.user.is_authenticated:
            return
        key = _valid_key(request.META[META_HEADER])
        row, earlier = _claim(
            user=request.user,
            endpoint=f"{request.method} {request.path}",
            key=key,
            print_=fingerprint(request.data),
        )
        if row is not None:
            self._idempotency_row = row
            return
        if earlier.fingerprint != fingerprint(request.data):
            raise KeyReused()
        replay = Response(earlier.response_body, status=earlier.status_code)
        replay[REPLAYED_HEADER] = "true"
        # The handler is looked up after initial(): answer the kept response instead of running.
        setattr(self, request.method.lower(), lambda *a, **k: replay)


def once_per_form_token(view):
    """For portal views: a POST carrying the form's one-time token runs once per user; a repeat
    (a double-click, a browser retry) gets the redirect the first one got. Without a token the
    view runs as before."""
    from functools import wraps

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        token = request.POST.get(FORM_FIELD, "").strip() if request.method == "POST" else ""
        if not token or not request.user.is_authenticated or len(token) > MAX_KEY_LENGTH:
            return view(request, *args, **kwargs)
        with transaction.atomic():
            row, earlier = _claim(
                user=request.user,
                endpoint=f"FORM {request.path}",
                key=token,
                print_="",
            )
            if earlier is not None:
                if earlier.location:
                    return HttpResponseRedirect(earlier.location)
                # The first answered with the form again (invalid input): this one may run.
                row = earlier
            response = view(request, *args, **kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            elif response.status_code in (301, 302, 303):
                row.location = response["Location"]
                row.status_code = response.status_code
                row.save(update_fields=["location", "status_code"])
            else:
                # Not done (e.g. a form error shown again): the token stays usable.
                row.delete()
        return response

    return wrapped


def new_form_token() -> str:
    return uuid.uuid4().hex
