from django.db import migrations, models
from django.db.models import F


def keep_old_counts(apps, schema_editor):
    # Lists computed before cases existed counted proposals plus escalations: that sum is what
    # their score was computed from, so it is kept as their count.
    plan_model = apps.get_model("deliberation", "RemediationPlan")
    plan_model.objects.update(cases=F("proposals") + F("escalations"))


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0005_proposal_comments_and_reports"),
    ]

    operations = [
        migrations.AddField(
            model_name="remediationplan",
            name="cases",
            field=models.PositiveIntegerField(default=0, verbose_name="cases received"),
        ),
        migrations.RunPython(keep_old_counts, migrations.RunPython.noop),
        migrations.RemoveField(model_name="remediationplan", name="escalations"),
        migrations.RemoveField(model_name="remediationplan", name="proposals"),
        migrations.AlterField(
            model_name="remediationplan",
            name="score",
            field=models.DecimalField(
                decimal_places=2, max_digits=8, verbose_name="cases per 100 households"
            ),
        ),
    ]
