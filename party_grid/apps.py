from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyGridConfig(AppConfig):
    name = "party_grid"
    verbose_name = _("Party-building grid")

    def ready(self):
        from governance import registry

        from . import demo, demo_liujiang, figures, personal_data, signals

        signals.connect()
        personal_data.register()
        figures.register()
        registry.register_demo("party_grid", demo.load, order=10)
        registry.register_demo("party_grid_liujiang", demo_liujiang.load, order=11)
