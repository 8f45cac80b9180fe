from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from governance import registry


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
