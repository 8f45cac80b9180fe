import logging

from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

# The last resort when even the site layout cannot render (a broken template, URLconf or
# static storage): plain Chinese, no template engine, no database.
FALLBACK_500 = (
    '<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>服务器错误</title></head><body><h1>服务器出错了</h1>"
    '<p>错误已记录，请稍后再试。</p><p><a href="/">返回首页</a></p></body></html>'
)


@never_cache
def healthz(request):
    """Liveness and database reachability for the container health check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@requires_csrf_token
def server_error(request):
    """handler500: the site layout rendered with a plain context. No context processors run
    (no session, user or database access, which may be what failed); if even that fails, a
    fixed Chinese page."""
    try:
        body = loader.get_template("500.html").render({})
    except Exception:  # noqa: BLE001 - the error page itself must never raise
        logger.exception("The 500 page could not be rendered")
        body = FALLBACK_500
    return HttpResponseServerError(body)
