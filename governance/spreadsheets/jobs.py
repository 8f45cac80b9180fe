"""Background spreadsheet imports (issue 15): a file above IMPORT_JOB_THRESHOLD rows is stored
privately as an ImportJob and imported by a Celery task, so no request waits past the worker
timeout. The import itself is the admin's: the same resource (scoped to the user who started
the job), the same checks, one transaction, nothing saved when any row is wrong, and every error
listed with the line of the file it is on.

`start_import_job` (the admin, inside a request) creates the job and enqueues `run_import_job`
through the outbox on commit; on the embedded default (CELERY_TASK_ALWAYS_EAGER) the task runs
right there, after the commit. Progress is written to the cache while the import's transaction
is open (the job row cannot show it before the commit) and read by the job page.
"""

from __future__ import annotations

import copy
import logging

from django.apps import apps
from django.contrib import admin
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import ImportJob

from . import Limits, SpreadsheetError, read_table

logger = logging.getLogger(__name__)
MAX_ERRORS_KEPT = 1000
BULK_BATCH_SIZE = 1000


def progress_key(job_id: int) -> str:
    return f"governance:import-job:{job_id}:progress"


def progress_of(job: ImportJob) -> int:
    """Rows processed so far: the cache while the import runs, the job row once it is over."""
    if job.status == ImportJob.Status.RUNNING:
        try:
            return int(cache.get(progress_key(job.pk)) or 0)
        except Exception:  # a cache outage only hides the progress
            logger.warning("import job progress unavailable", exc_info=True)
    return job.processed_rows


def start_import_job(
    *, user, model_label: str, upload, file_format: str, resource_index: int = 0
) -> ImportJob:
    """Store the uploaded file with a new job and enqueue its import once this commits."""
    from governance.tasks import enqueue_on_commit, run_import_job

    with transaction.atomic():
        job = ImportJob(
            created_by=user,
            model_label=model_label,
            resource_index=resource_index,
            original_name=str(getattr(upload, "name", "") or "import")[:255],
            file_format=file_format,
        )
        upload.seek(0)
        job.file.save(job.original_name, upload, save=False)
        job.save()
        enqueue_on_commit(run_import_job, job.pk)
    return job


def _job_request(user) -> HttpRequest:
    """What the admin's hooks read from a request (the user), for a job run outside one."""
    request = HttpRequest()
    request.user = user
    request.method = "POST"
    return request


def _line_errors(result, lines: list[int]) -> list[dict]:
    """Every error of an import result, each with the line of the file (the header is line 1)."""

    def line_of(number):
        return lines[number - 1] if number and 0 < number <= len(lines) else None

    from .admin_io import _message

    errors = [{"line": None, "message": _message(error.error)} for error in result.base_errors]
    for number, row_errors in result.row_errors():
        for error in row_errors:
            errors.append({"line": line_of(number), "message": _message(error.error)})
    for invalid in result.invalid_rows:
        for field, messages_ in invalid.error_dict.items():
            for message in messages_:
                prefix = "" if field == "__all__" else f"{field}: "
                errors.append({"line": line_of(invalid.number), "message": f"{prefix}{message}"})
    return errors[:MAX_ERRORS_KEPT]


def _finish(job_id: int, **values) -> None:
    ImportJob.objects.filter(pk=job_id).update(finished_at=timezone.now(), **values)
    cache.delete(progress_key(job_id))


def run_import_job(job_id: int) -> str:
    """Import a job's file; a job that is not waiting (run already, or running) is left alone,
    so a message delivered twice imports once."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        errors, counts, total = _import(job)
    except Exception:
        logger.exception("import job %s failed", job_id)
        errors, counts, total = (
            [
                {
                    "line": None,
                    "message": _(
                        "The file could not be imported because of an unexpected error; "
                        "nothing was saved."
                    ),
                }
            ],
            {},
            job.total_rows,
        )
    status = ImportJob.Status.FAILED if errors else ImportJob.Status.DONE
    _finish(
        job_id,
        status=status,
        errors=errors,
        counts=counts,
        total_rows=total,
        processed_rows=total if not errors else 0,
    )
    from governance.security import audit

    audit.record(
        audit.Action.OTHER,
        actor=job.created_by,
        obj=job,
        summary=f"import job {status}",
        details={"model": job.model_label, "rows": total, "errors": len(errors), **counts},
    )
    return status


def _import(job: ImportJob) -> tuple[list[dict], dict, int]:
    model = apps.get_model(job.model_label)
    model_admin = admin.site._registry[model]
    request = _job_request(job.created_by)
    if not job.created_by.is_active or not model_admin.has_import_permission(request):
        return [{"line": None, "message": _("You may no longer import these records.")}], {}, 0
    try:
        with job.file.open("rb") as handle:
            table = read_table(handle.read(), fmt=job.file_format, limits=Limits.from_settings())
    except (OSError, SpreadsheetError) as error:
        message = str(error) if isinstance(error, SpreadsheetError) else _("The file is missing.")
        return [{"line": None, "message": message}], {}, 0
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(table.rows))

    from .admin_io import _dataset

    resource_class = model_admin.get_import_resource_classes(request)[job.resource_index]
    resource = resource_class(**model_admin.get_import_resource_kwargs(request))

    def report(count: int) -> None:
        try:
            cache.set(progress_key(job.pk), count, 24 * 3600)
        except Exception:  # progress is a courtesy; the import goes on without it
            logger.warning("import job progress not stored", exc_info=True)

    resource.import_progress = report
    # Nobody looks at a job's per-row diff: skip building it. A resource that checks its rows
    # in memory (bulk_in_jobs) inserts in batches instead of a savepoint and an INSERT per
    # row; still inside the one transaction that rolls the whole file back on any error.
    meta = copy.copy(resource._meta)
    meta.skip_html_diff = True
    if getattr(resource, "bulk_in_jobs", False):
        meta.use_bulk = True
        meta.batch_size = BULK_BATCH_SIZE
    resource._meta = meta
    result = resource.import_data(
        _dataset(table),
        dry_run=False,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        collect_failed_rows=False,
        file_name=job.original_name,
        user=job.created_by,
    )
    errors = _line_errors(result, [line for line, _values in table.rows])
    counts = {key: value for key, value in result.totals.items() if value}
    return errors, counts, len(table.rows)


def fail_stuck_jobs() -> int:
    """Mark as failed every job running for longer than IMPORT_JOB_STUCK_AFTER_MINUTES: its
    worker died (a killed process, a lost machine), so its transaction was rolled back and
    nothing of the file was saved. Safe to repeat: a failed job is no longer running."""
    from django.conf import settings

    from governance.security import audit

    cutoff = timezone.now() - timezone.timedelta(
        minutes=getattr(settings, "IMPORT_JOB_STUCK_AFTER_MINUTES", 60)
    )
    message = _(
        "The import stopped without finishing (the worker running it ended), so nothing was "
        "saved; upload the file again."
    )
    swept = 0
    for job in ImportJob.objects.filter(
        status=ImportJob.Status.RUNNING, started_at__lt=cutoff
    ).select_related("created_by"):
        # The status in the filter: a job that finished meanwhile is left as it ended.
        updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            processed_rows=0,
            counts={},
            errors=[{"line": None, "message": message}],
        )
        if not updated:
            continue
        swept += 1
        cache.delete(progress_key(job.pk))
        audit.record(
            audit.Action.OTHER,
            actor=None,
            obj=job,
            summary="import job failed: worker stopped",
            details={"model": job.model_label, "started_at": job.started_at.isoformat()},
        )
    return swept
