from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communities and estates")

    def ready(self):
        # Tell the project package what it needs without it importing this app.
        from governance import registry

        from . import demo, demo_liujiang, personal_data, signals, views

        registry.register_home(views.home)
        registry.register_demo_base(demo.load_demo_base)
        # regions.md "Demo": 柳州市 > 柳江区 beside 佛山市 > 南海区 > 里水镇.
        registry.register_demo("liujiang", demo_liujiang.load, order=1)
        personal_data.register()
        signals.connect()
