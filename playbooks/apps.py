from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "playbooks"
    verbose_name = "Playbooks"

    def ready(self):
        from core.hooks import object_changed, register_close_check

        from . import clock_kinds, contributions, services, timeline_events  # noqa: F401

        clock_kinds.register()
        contributions.register()
        # Incidents and escalations announce their changes; matching playbooks attach.
        object_changed.connect(services.on_object_changed,
                               dispatch_uid="playbooks.attach_matching")
        # Required steps still to do block closing, named in the refusal.
        register_close_check(services.required_steps_pending)
