from celery import shared_task


@shared_task(name="governance.retry_failed_notifications")
def retry_failed_notifications_task() -> int:
    """Send again the notifications a channel (e.g. the mail server) failed to deliver."""
    from .service import retry_failed_deliveries

    return retry_failed_deliveries()
