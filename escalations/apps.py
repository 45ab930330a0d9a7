from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "escalations"
    verbose_name = "Escalations"

    def ready(self):
        from . import clock_kinds, contributions

        clock_kinds.register()
        contributions.register()
        # A duplicate incident's linked escalations follow it into the survivor.
        from core.hooks import objects_merged

        from .services.links import move_links_of_merged_incident

        objects_merged.connect(move_links_of_merged_incident,
                               dispatch_uid="escalations.move_links_of_merged_incident")
