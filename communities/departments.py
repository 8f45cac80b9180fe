"""Town departments (职能部门): registry entities of a town with their own staff accounts.

Department staff hold the `department_staff` role (a grant scoped to their town, through
communities.roles); which department(s) they work for is the membership below, so a department
scope needs no new field on the role grant.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    town = models.ForeignKey(
        "communities.Town",
        on_delete=models.PROTECT,
        related_name="departments",
        verbose_name=_("town"),
    )
    name = models.CharField(_("name"), max_length=100)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        verbose_name=_("staff"),
        help_text=_("Accounts with the role department staff who act for this department."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        app_label = "communities"
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["town__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="department_unique_name_in_town")
        ]

    def __str__(self):
        return self.name


def department_ids(user) -> set[int]:
    """Departments `user` acts for (department staff only; cached on the instance)."""
    from .roles import holds

    if not holds(user, "department_staff"):
        return set()
    cached = getattr(user, "_department_ids", None)
    if cached is None:
        cached = set(
            Department.staff.through.objects.filter(
                user_id=user.pk, department__town_id__in=_town_ids(user)
            ).values_list("department_id", flat=True)
        )
        user._department_ids = cached
    return cached


def _town_ids(user):
    from .roles import town_ids

    return town_ids(user, "department_staff")


def needs_second_factor(user) -> bool:
    """Staff roles that must verify a second factor when STAFF_2FA_REQUIRED is on: every staff
    role of communities.roles and department staff (they act on residents' cases)."""
    from .roles import holds, is_staff

    return is_staff(user) or holds(user, "department_staff")
