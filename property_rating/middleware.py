"""Publication day: the ratings API's anonymous answers straight from the cache.

An anonymous GET of the ratings list or a company's history whose answer is cached under the
current publication version (property_rating.public_cache: exact after every publish and
reopen) is answered here, after the security, session and language middleware and before the
rest of the stack: CSRF, authentication, messages, two-factor and session checks, the audit,
the URL resolver and DRF would all come to the same answer for a request with no session, no
credentials and JSON asked for. The throttles still count it. Anything else, a miss or a
throttled client takes the full path, which builds the answer, caches it and answers 429 where
due. tests/property_rating/test_public_cache.py compares every header of a cached answer with
the computed one's, so a header some skipped middleware adds is not lost unnoticed.
"""

import re

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from .public_cache import cached_only, plainly_anonymous

# What an Accept header may say for the cached JSON bytes to be the negotiated answer.
JSON_ACCEPTS = frozenset({"", "*/*", "application/json"})


class PublicRatingsAnswerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._routes = None

    def _view_class(self, path: str):
        """The ratings view answering `path`, or None (routes read once, when first needed)."""
        if self._routes is None:
            from .api.ratings import CompanyRatingHistoryView, RatingListView

            history = re.escape(reverse("company-rating-history", kwargs={"pk": 0}))
            self._routes = [
                (re.compile(re.escape(reverse("rating-list")) + r"\Z"), RatingListView),
                (
                    re.compile(history.replace("/0/", "/[0-9]+/", 1) + r"\Z"),
                    CompanyRatingHistoryView,
                ),
            ]
        return next((view for route, view in self._routes if route.match(path)), None)

    def __call__(self, request):
        if request.method == "GET" and plainly_anonymous(request):
            response = self._cached_answer(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _cached_answer(self, request):
        view_class = self._view_class(request.path_info)
        if view_class is None:
            return None
        if (
            "format" in request.GET
            # META rather than request.headers, which copies every header on first use.
            or request.META.get("HTTP_ACCEPT", "").strip() not in JSON_ACCEPTS
        ):
            return None
        entry = cached_only(view_class.public_key(request))
        if entry is None:
            return None
        view = view_class()
        view.setup(request)  # as as_view() does: also answers HEAD, so Allow lists it
        request.user = AnonymousUser()  # what the skipped authentication would have set
        if not all(throttle.allow_request(request, view) for throttle in view.get_throttles()):
            return None  # the full path answers 429 with its Retry-After
        etag, last_ts, body = entry
        response = view.respond(request, etag, last_ts, body=body, plain_http=True)
        # The headers DRF's finalize_response and the skipped middleware would add.
        response["Allow"] = ", ".join(view.allowed_methods)
        response["Vary"] = "Cookie, Authorization, Accept"
        response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        response["Content-Length"] = str(len(response.content))
        return response
