"""Domain events: what happened, told to whoever listens (outbound webhooks first).

A producing app declares each event type it emits once, with a description for
the people choosing what to subscribe to and a *payload builder* that turns the
changed object into the JSON other systems receive::

    register_event_type("incident.declared", "An incident was declared.",
                        incident_payload)

and its services call :func:`emit` **inside their transaction**, after the change::

    emit("incident.declared", incident, by=by)

Listeners connect to :data:`event_emitted` (a Django signal), so no producing app
imports a consumer and core imports no domain app. Because the signal is sent inside
the producer's transaction, a listener that writes rows (the webhooks outbox) commits
or rolls back with the change itself: an event is never announced for a change that
did not happen, and never lost for one that did.

Payloads carry identifiers, references, states and links — never a customer's
personal data — and a one-line ``summary`` a chat tool can show as it is.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

# kwargs: event (a DomainEvent), instance (the object the event is about).
event_emitted = Signal()


@dataclass(frozen=True)
class EventType:
    code: str  # "incident.declared": "<object>.<what happened>"
    description: str
    # payload(obj, data) -> the event's "data" object: JSON-ready, with a "summary".
    payload: Callable[[Any, dict], dict]


@dataclass(frozen=True)
class DomainEvent:
    id: str  # "msg_…": the webhook-id every delivery of this event carries
    type: str
    occurred_at: datetime
    actor: str  # the username of who (or what: the system) caused it
    data: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        """The Standard Webhooks payload shape: type, timestamp, data."""
        return {"type": self.type, "timestamp": self.occurred_at.isoformat(),
                "data": self.data}


_TYPES: dict[str, EventType] = {}


def register_event_type(code: str, description: str, payload: Callable) -> EventType:
    """Declare an event type (from the producing app's ``AppConfig.ready()``)."""
    event_type = EventType(code, description, payload)
    _TYPES[code] = event_type
    return event_type


def event_types() -> list[EventType]:
    """Every declared event type, by code."""
    return sorted(_TYPES.values(), key=lambda t: t.code)


def event_type(code: str) -> EventType | None:
    return _TYPES.get(code)


def new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def emit(event_type: str, obj, *, by=None, data: dict | None = None,
         at: datetime | None = None) -> DomainEvent:
    """Announce that ``event_type`` happened to ``obj``; returns the event.

    Call it inside the service's transaction (listeners write in it). ``by`` is the
    person or the system actor (None: the system); ``data`` adds what the object
    alone does not say (the transition's name, the clock that breached…).
    """
    declared = _TYPES.get(event_type)
    if declared is None:
        raise LookupError(f"Event type {event_type!r} is not registered.")
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction the listeners' rows would commit on their own, even
        # if the change that caused the event later failed.
        raise RuntimeError(f"emit({event_type!r}) must run inside the service's transaction.")
    event = DomainEvent(
        id=new_event_id(), type=event_type, occurred_at=at or timezone.now(),
        actor=getattr(by, "username", "") or "switchboard-system",
        data=declared.payload(obj, dict(data or {})),
    )
    event_emitted.send(sender=type(obj), event=event, instance=obj)
    return event
