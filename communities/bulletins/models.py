from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class FrozenQuerySet(models.QuerySet):
    """Issued bulletins are never changed or removed in bulk either."""

    def update(self, **kwargs):
        raise ValidationError(_("An issued bulletin cannot be changed."))

    def delete(self):
        raise ValidationError(_("An issued bulletin cannot be changed."))


class Bulletin(models.Model):
    """An issued bulletin. The figures are copied into `table` when it is issued, so it reads the
    same forever whatever the records later say (regions.md: "kept once issued")."""

    region = models.ForeignKey(
        "communities.Region",
        on_delete=models.PROTECT,
        related_name="bulletins",
        verbose_name=_("region"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    comment = models.TextField(_("comment"), max_length=5000)
    # {"figures": [{key, label, percent, higher_is_better}], "rows": [{town_id, town, values,
    #  ranks, rank, mark}]}: what the bulletin shows, frozen.
    table = models.JSONField(_("figures"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"))

    objects = FrozenQuerySet.as_manager()

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "number"], name="bulletin_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="bulletin_period_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        # Frozen once issued: a bulletin is written once, by bulletin_issue.
        if self.pk is not None:
            raise ValidationError(_("An issued bulletin cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("An issued bulletin cannot be changed."))

    @property
    def reference(self) -> str:
        return f"{self.region.name}〔{self.year}〕{self.number}号"
