from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    """The project package, also an app for cross-cutting infrastructure (the task outbox)."""

    name = "governance"
    verbose_name = _("System")

    def ready(self):
        # Audit logins and failures (auth signals), and register the security settings checks.
        from governance.security import checks, signals  # noqa: F401
