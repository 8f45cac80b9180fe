from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "deliberation"
    verbose_name = _("Round-table deliberation")

    def ready(self):
        from governance import registry

        from . import demo
        from .assemblies import demo as assemblies_demo
        from .projects import demo as projects_demo

        registry.register_demo("deliberation", demo.load, order=30)
        registry.register_demo("deliberation.assemblies", assemblies_demo.load, order=40)
        # Late, so that 拉堡镇's estates from the region demo exist when there is one.
        registry.register_demo("deliberation.projects", projects_demo.load, order=90)

        from .cases import figures as case_figures
        from .projects import figures as project_figures

        case_figures.register()
        project_figures.register()

        from .assemblies import personal_data as assemblies_personal_data

        assemblies_personal_data.register()
