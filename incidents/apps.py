from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self):
        from . import clock_kinds, contributions, seeds, timeline_events  # noqa: F401

        clock_kinds.register()
        contributions.register()
        post_migrate.connect(seeds.seed_after_migrate, sender=self, dispatch_uid="incidents-seed")
