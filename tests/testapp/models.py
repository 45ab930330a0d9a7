"""A small state machine that exists only to test core's transition plumbing.

It is shaped like the real domain models will be: protected FSM field,
transitions declared once with guards and a permission, history kept.
"""

from django.db import models
from django_fsm import transition
from simple_history.models import HistoricalRecords

from core.fields import StateField
from core.transitions import guard


class TicketState(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


@guard("resolution", "A resolution summary is required to resolve.")
def has_resolution(ticket):
    return bool(ticket.resolution.strip())


@guard("owner", "An owner is required to start work.")
def has_owner(ticket):
    return ticket.owner_id is not None


class Ticket(models.Model):
    title = models.CharField(max_length=200)
    # Raised by the test clock kind's breach action: proves actions run once.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    owner = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL)
    resolution = models.TextField(blank=True)
    state = StateField(default=TicketState.OPEN, choices=TicketState.choices, protected=True)
    history = HistoricalRecords()

    class Meta:
        permissions = [("close_ticket", "Can close a ticket")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"/tickets/{self.pk}/"

    # Hooks the SLA clock engine calls (see core/clocks.py).
    def sla_recipients(self, clock):
        return [self.owner] if self.owner else []

    def sla_clock_event(self, *, clock, event):
        TicketNote.objects.create(ticket=self, at=event.at, **self.note_for(clock, event))

    @staticmethod
    def note_for(clock, event):
        return {"text": f"{clock.kind}: {event.get_kind_display()}"
                        + (f" ({event.threshold}%)" if event.threshold else "")}

    @transition(field=state, source=TicketState.OPEN, target=TicketState.IN_PROGRESS,
                conditions=[has_owner])
    def start(self):
        pass

    @transition(field=state, source=[TicketState.OPEN, TicketState.IN_PROGRESS],
                target=TicketState.RESOLVED, conditions=[has_resolution])
    def resolve(self):
        pass

    @transition(field=state, source=TicketState.RESOLVED, target=TicketState.CLOSED,
                permission="testapp.close_ticket")
    def close(self):
        pass

    @transition(field=state, source=TicketState.RESOLVED, target=TicketState.IN_PROGRESS)
    def reopen(self):
        self.resolution = ""


class TicketNote(models.Model):
    """The test app's timeline: what SLA clock events write for people to read."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notes")
    text = models.CharField(max_length=300)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return self.text
