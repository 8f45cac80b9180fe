from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropertyRatingConfig(AppConfig):
    name = "property_rating"
    verbose_name = _("Property-company assessment")

    def ready(self):
        from governance import registry

        from . import demo, figures

        figures.register()
        registry.register_demo("property_rating", demo.load, order=20)
