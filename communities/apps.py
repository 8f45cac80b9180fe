from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communities and estates")

    def ready(self):
        # Tell the project package what it needs without it importing this app.
        from governance import registry

        from . import demo, personal_data, views

        registry.register_home(views.home)
        registry.register_demo_base(demo.load_demo_base)
        personal_data.register()
