from django.apps import AppConfig


class TestappConfig(AppConfig):
    name = "tests.testapp"
    label = "testapp"
    verbose_name = "Transition plumbing test app"

    def ready(self):
        from collections import Counter

        from django.db.models import F

        from core.bulk import insert_rows
        from core.clocks import (
            ClockKind,
            batched,
            notify_owner_and_team,
            register_clock_kind,
            register_sla_owner,
        )

        from .models import Ticket, TicketNote

        def escalate_many(pairs):
            # The set-based form the sweep's burst path calls: one UPDATE per step size.
            steps = Counter(clock.object_id for clock, _ in pairs)
            for step in set(steps.values()):
                Ticket.objects.filter(pk__in=[pk for pk, n in steps.items() if n == step]).update(
                    escalation_level=F("escalation_level") + step)

        @batched(escalate_many)
        def escalate(clock, event):
            # A real action with a database effect, like the escalation tier ladder.
            Ticket.objects.filter(pk=clock.object_id).update(
                escalation_level=F("escalation_level") + 1
            )

        def recipients(clocks):
            users = Ticket.owner.field.related_model.objects.in_bulk(
                {clock.owner.owner_id for clock in clocks if clock.owner.owner_id})
            return {clock.pk: [users[clock.owner.owner_id]] if clock.owner.owner_id in users
                    else [] for clock in clocks}

        def clock_events(pairs):
            # As a real app writes its timeline in a burst: plain rows, one INSERT.
            insert_rows(TicketNote, ["ticket", "at", "text"], [
                (clock.object_id, event.at, Ticket.note_for(clock, event)["text"])
                for clock, event in pairs])

        register_sla_owner(Ticket, recipients=recipients, clock_events=clock_events)

        register_clock_kind(
            ClockKind(
                key="testapp.response",
                label="Response",
                on_breach=(notify_owner_and_team, escalate),
            )
        )
