from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "Contact-center KPIs"

    def ready(self):
        from . import contributions

        contributions.register()
