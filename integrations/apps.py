from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        from . import contributions

        contributions.register()
        # A duplicate incident's alert groups follow it into the survivor.
        from core.hooks import objects_merged

        from .services import move_alert_groups_of_merged_incident

        objects_merged.connect(move_alert_groups_of_merged_incident,
                               dispatch_uid="integrations.move_alert_groups_of_merged_incident")
        # The intake endpoints keep integrations per web process: a change is announced.
        from django.db.models.signals import post_delete, post_save

        from .models import Integration
        from .token_cache import integration_changed

        for signal in (post_save, post_delete):
            signal.connect(integration_changed, sender=Integration,
                           dispatch_uid=f"integrations.token_cache.{signal is post_save}")
