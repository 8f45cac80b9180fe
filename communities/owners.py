"""Owners of households (owners.md "Owners and their units").

An owner is identified by a key the register keeper chooses (a register number, never an ID-card
number and never shown publicly). Co-owners of a unit share its owner's key; one owner may own
several units, in several estates of the town. The developer is the owner with key `developer`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

DEVELOPER_KEY = "developer"


class OwnerQuerySet(models.QuerySet):
    def developer_of(self, town):
        """The town's developer owner (created on first use): unsold or undelivered units are
        counted for it, together as one head (owners.md)."""
        owner, _created = self.get_or_create(
            town=town, key=DEVELOPER_KEY, defaults={"kind": Owner.Kind.DEVELOPER}
        )
        return owner


class Owner(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        DEVELOPER = "developer", _("developer")

    town = models.ForeignKey(
        "communities.Town", on_delete=models.PROTECT, related_name="owners", verbose_name=_("town")
    )
    key = models.CharField(
        _("register key"),
        max_length=50,
        help_text=_("Chosen by the register keeper (e.g. a register number); never an ID number."),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)  # personal data (PIPL)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    left_register_on = models.DateField(
        _("left the register on"),
        null=True,
        blank=True,
        help_text=_(
            "Set by the register import when the owner no longer owns a unit; their name is "
            "anonymised once the retention period has passed."
        ),
    )

    objects = OwnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        ordering = ["town__name", "key"]
        constraints = [
            models.UniqueConstraint(fields=["town", "key"], name="owner_unique_key_in_town"),
            models.CheckConstraint(
                condition=~models.Q(key=DEVELOPER_KEY) | models.Q(kind="developer"),
                name="owner_developer_key_is_developer",
            ),
        ]

    def __str__(self):
        return self.key

    @property
    def is_developer(self) -> bool:
        return self.kind == self.Kind.DEVELOPER
