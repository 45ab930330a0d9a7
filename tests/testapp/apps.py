from django.apps import AppConfig


class TestappConfig(AppConfig):
    name = "tests.testapp"
    label = "testapp"
    verbose_name = "Transition plumbing test app"

    def ready(self):
        from django.db.models import F

        from core.clocks import ClockKind, notify_owner_and_team, register_clock_kind

        from .models import Ticket

        def escalate(clock, event):
            # A real action with a database effect, like the escalation tier ladder.
            Ticket.objects.filter(pk=clock.object_id).update(
                escalation_level=F("escalation_level") + 1
            )

        register_clock_kind(
            ClockKind(
                key="testapp.response",
                label="Response",
                on_breach=(notify_owner_and_team, escalate),
            )
        )
