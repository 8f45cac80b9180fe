"""Notifications moved to governance (shared infrastructure): copy every inbox row, with its read
and e-mailed times, into governance.Notification before the old model is deleted; titles become
one line (existing ones with line breaks are joined with spaces)."""

from django.db import migrations, models

import deliberation.models

TRANSITION_PREFIXES = {
    "transition:": "deliberation.transition",
    "escalation-overdue:": "deliberation.escalation_overdue",
    "followup-overdue:": "deliberation.followup_overdue",
}


def _kind(key: str) -> str:
    for prefix, kind in TRANSITION_PREFIXES.items():
        if key.startswith(prefix):
            return kind
    return ""


def copy_notifications(apps, schema_editor):
    Old = apps.get_model("deliberation", "Notification")
    New = apps.get_model("governance", "Notification")
    Delivery = apps.get_model("governance", "Delivery")
    existing = set(New.objects.values_list("user_id", "key"))
    batch = []
    emailed = {}
    for old in Old.objects.order_by("pk").iterator(chunk_size=2000):
        if (old.user_id, old.key) in existing:
            continue
        batch.append(
            New(
                user_id=old.user_id,
                kind=_kind(old.key),
                key=old.key,
                text=old.text,
                link=old.link,
                created_at=old.created_at,
                read_at=old.read_at,
            )
        )
        if old.emailed_at:
            emailed[(old.user_id, old.key)] = old.emailed_at
    New.objects.bulk_create(batch, batch_size=2000)
    if emailed:
        deliveries = [
            Delivery(notification_id=pk, channel="email", delivered_at=emailed[(user, key)], attempts=1)
            for pk, user, key in New.objects.values_list("pk", "user_id", "key")
            if (user, key) in emailed
        ]
        Delivery.objects.bulk_create(deliveries, batch_size=2000)


def copy_back(apps, schema_editor):
    Old = apps.get_model("deliberation", "Notification")
    New = apps.get_model("governance", "Notification")
    Old.objects.bulk_create(
        [
            Old(
                user_id=n.user_id,
                key=n.key,
                text=n.text,
                link=n.link,
                created_at=n.created_at,
                read_at=n.read_at,
                emailed_at=n.deliveries.filter(channel="email")
                .values_list("delivered_at", flat=True)
                .first(),
            )
            for n in New.objects.filter(kind__startswith="deliberation.")
        ],
        batch_size=2000,
    )


def titles_on_one_line(apps, schema_editor):
    Proposal = apps.get_model("deliberation", "Proposal")
    for proposal in Proposal.objects.filter(title__regex=r"[\r\n\v\f\u0085\u2028\u2029]"):
        proposal.title = " ".join(proposal.title.split())[:120]
        proposal.save(update_fields=["title"])


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0001_initial"),
        ("governance", "0003_shared_notifications"),
    ]

    operations = [
        migrations.RunPython(copy_notifications, copy_back),
        migrations.RunPython(titles_on_one_line, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="proposal",
            name="title",
            field=models.CharField(
                max_length=120,
                validators=[deliberation.models.validate_single_line],
                verbose_name="title",
            ),
        ),
        migrations.DeleteModel(
            name="Notification",
        ),
    ]
