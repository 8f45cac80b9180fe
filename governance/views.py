import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from governance import registry

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


def home(request):
    """The portal's home page, as the app that owns it registered it (governance.registry)."""
    view = registry.home_view()
    if view is None:
        raise Http404
    return view(request)


@never_cache
@login_required
def import_job(request, pk: int):
    """A background import's progress and result. Only who started it (and superusers) may see
    it: anyone else gets 404, whether the job exists or not."""
    from django.apps import apps
    from django.contrib import admin
    from django.shortcuts import get_object_or_404
    from django.template.response import TemplateResponse
    from django.urls import NoReverseMatch, reverse

    from governance.models import ImportJob
    from governance.spreadsheets.jobs import progress_of

    jobs = ImportJob.objects.all()
    if not request.user.is_superuser:
        jobs = jobs.filter(created_by=request.user)
    job = get_object_or_404(jobs, pk=pk)
    model = apps.get_model(job.model_label)
    try:
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        import_page = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")
    except NoReverseMatch:
        changelist = import_page = ""
    processed = progress_of(job)
    percent = int(100 * processed / job.total_rows) if job.total_rows else 0
    context = {
        **admin.site.each_context(request),
        "title": _("Import of %(name)s") % {"name": job.original_name},
        "job": job,
        "processed": processed,
        "percent": min(percent, 100),
        "model_name": model._meta.verbose_name_plural,
        "changelist_url": changelist,
        "import_url": import_page,
    }
    return TemplateResponse(request, "admin/governance/import_job.html", context)


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
