from celery import shared_task


@shared_task(name="governance.retry_failed_notifications")
def retry_failed_notifications_task() -> int:
    """Send again the notifications a channel (e.g. the mail server) failed to deliver."""
    from .service import retry_failed_deliveries

    return retry_failed_deliveries()


@shared_task(name="governance.send_daily_digests")
def send_daily_digests_task() -> int:
    """E-mail yesterday's notifications in one message to users who opted in (once per day)."""
    from .preferences import send_daily_digests

    return send_daily_digests()
