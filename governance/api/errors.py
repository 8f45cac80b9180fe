"""Every answer under /api/ is JSON and every error an object (issue 10, item 6): DRF's own
errors through `exception_handler`, and Django's 400/403/404/500 (unknown paths, a failure
outside a view) through the root URLconf's handlers."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from governance.middleware import error_response, is_api_path


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # A model's validation reached the view unconverted: still the client's bad input.
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = as_object(response.data)
    return response


def as_object(data):
    """The schema promises an object: a bare list of messages becomes non_field_errors, a bare
    string the detail."""
    if isinstance(data, list):
        return {"non_field_errors": data}
    if isinstance(data, str):
        return {"detail": data}
    return data


def bad_request(request, exception, template_name="400.html"):
    if is_api_path(request):
        return error_response(request, 400, _("Bad request."))
    return defaults.bad_request(request, exception)


def permission_denied(request, exception, template_name="403.html"):
    if is_api_path(request):
        return error_response(request, 403, _("You do not have permission to perform this action."))
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception, template_name="404.html"):
    if is_api_path(request):
        return error_response(request, 404, _("Not found."))
    return defaults.page_not_found(request, exception)


def server_error(request, template_name="500.html"):
    if is_api_path(request):
        return error_response(request, 500, _("A server error occurred."))
    from governance.views import server_error as site_server_error

    return site_server_error(request)
