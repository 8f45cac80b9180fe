from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """The interface is Chinese unless the user picked another language with the switch in the
    top bar (Django's language cookie). The browser's Accept-Language is not consulted: township
    staff share office machines set up in English as often as not."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than REQUEST_MAX_BYTES with 413, before
    anything reads the body (Django would otherwise spool all of it, however large, first). The
    reverse proxy in front (docker-compose's nginx, client_max_body_size) refuses the same bodies
    at the edge; this keeps the limit when the application is reached another way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0:
            return error_response(request, 400, _("The request's Content-Length is not valid."))
        limit = getattr(settings, "REQUEST_MAX_BYTES", None)
        if limit and length > limit:
            return error_response(
                request,
                413,
                _("The request is too large (at most %(limit)s MB).")
                % {"limit": round(limit / (1024 * 1024))},
            )
        return self.get_response(request)


def is_api_path(request) -> bool:
    return request.path.startswith("/api/")


def error_response(request, status: int, detail: str):
    """An error answer: JSON `{"detail": ...}` under /api/, a short page elsewhere."""
    if is_api_path(request):
        return JsonResponse({"detail": str(detail)}, status=status)
    return HttpResponse(
        f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{escape(detail)}</p>",
        status=status,
        content_type="text/html; charset=utf-8",
    )


class SecurityHeadersMiddleware:
    """Permissions-Policy on every answer (settings.PERMISSIONS_POLICY), and
    `Cache-Control: private, no-store` on every file sent as an attachment (exports, downloads)
    unless the view chose otherwise: a shared cache or the browser's disk never keeps them."""

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "PERMISSIONS_POLICY", {}) or {}
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in policy.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions_policy
        disposition = response.get("Content-Disposition", "")
        if disposition.lower().startswith("attachment"):
            response["Cache-Control"] = "private, no-store"
        return response
