from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "escalations"
    verbose_name = "Escalations"

    def ready(self):
        from . import clock_kinds, contributions, timeline_events  # noqa: F401

        clock_kinds.register()
        contributions.register()
