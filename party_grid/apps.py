from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyGridConfig(AppConfig):
    name = "party_grid"
    verbose_name = _("Party-building grid")

    def ready(self):
        from . import personal_data

        personal_data.register()
