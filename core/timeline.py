"""Typed timeline events: what happened, stored as a code and its parameters, worded
when the page is drawn.

A work item's timeline (``core.work_items.timeline_add``) stores each entry with

* ``event`` — a registered code (``"state-changed"``, ``"clock-breached"``,
  ``"playbook-step-done"``…), or empty for a free note and for entries written before
  events were typed;
* ``params`` — the structured facts the wording is built from (``{"state":
  "contained", "label": "Contained", "detail": "Trunk rerouted"}``), which reports,
  erasure and redaction read instead of parsing English;
* ``text`` — the same entry worded when it was written: the fallback for legacy rows
  and for codes no longer registered, and what search and the admin show.

``entry.render()`` words it again from the catalogue below, so wording changes reach
old entries too and an erased parameter stays erased. Apps register their own
event types (``register_event_type``) next to the models they describe; the kernel
registers the ones every work item shares (state changes, role changes, clocks).

Parameters are JSON values (strings, numbers, booleans, None, lists). Every string
parameter has card numbers masked when written, as free text is everywhere.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .pci import redact_card_numbers


class MissingParams(ValueError):
    """An event was written without a parameter its wording needs."""


@dataclass(frozen=True)
class TimelineEventType:
    code: str  # a slug, stable: stored on every entry
    # A ``str.format`` template over the params ("{label}: {detail}"), or a callable
    # ``params -> str`` for wording with optional parts.
    message: str | Callable[[dict], str]
    params: tuple[str, ...] = ()  # the names every entry of this type carries
    description: str = ""

    def format(self, params: dict) -> str:
        missing = [name for name in self.params if name not in params]
        if missing:
            raise MissingParams(f"Timeline event {self.code!r} needs {', '.join(missing)}.")
        if callable(self.message):
            return self.message(params)
        return self.message.format(**params)


_TYPES: dict[str, TimelineEventType] = {}


def register_event_type(event_type: TimelineEventType) -> TimelineEventType:
    """Register (or, for the same code, replace: module reloads in tests) a type."""
    _TYPES[event_type.code] = event_type
    return event_type


def define_event(code, message, params=(), description="") -> str:
    """Register a type from its parts and return its code (what an app's
    ``timeline_events.py`` keeps in a constant)."""
    return register_event_type(TimelineEventType(code, message, params=params,
                                                 description=description)).code


def choice_label(choices, value) -> str:
    """A stored choice worded at display time; a value the choices no longer know (a
    renamed or removed option) is shown as stored."""
    try:
        return choices(value).label
    except ValueError:
        return str(value)


def event_type(code: str) -> TimelineEventType:
    try:
        return _TYPES[code]
    except KeyError:
        raise LookupError(f"No timeline event type {code!r} is registered.") from None


def word(code: str, params: dict | None = None) -> str:
    """How an entry of a registered type reads now (for a row written directly)."""
    return event_type(code).format(params or {})


def event_types() -> list[TimelineEventType]:
    return sorted(_TYPES.values(), key=lambda t: t.code)


def render(code: str, params: dict | None, fallback: str) -> str:
    """The entry worded now; the stored text when its code is unknown (legacy rows,
    a removed type) or its params no longer fit the wording."""
    if not code:
        return fallback
    found = _TYPES.get(code)
    if found is None:
        return fallback
    try:
        return found.format(params or {})
    except (MissingParams, KeyError, IndexError, ValueError, TypeError):
        return fallback


def mask_params(params: dict) -> tuple[dict, int]:
    """Card numbers masked in every string (also inside lists); how many were found."""
    masked = 0

    def clean(value):
        nonlocal masked
        if isinstance(value, str):
            value, found = redact_card_numbers(value)
            masked += found
            return value
        if isinstance(value, list | tuple):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        return value

    return {key: clean(value) for key, value in params.items()}, masked


def scrub_params(params: dict, replace: Callable[[str], str]) -> dict:
    """``params`` with ``replace`` applied to every string in it (erasure)."""

    def scrub(value):
        if isinstance(value, str):
            return replace(value)
        if isinstance(value, list | tuple):
            return [scrub(item) for item in value]
        if isinstance(value, dict):
            return {key: scrub(item) for key, item in value.items()}
        return value

    return {key: scrub(value) for key, value in (params or {}).items()}


def scrub_timeline_params(queryset, replace: Callable[[str], str]) -> int:
    """Erase in place what ``replace`` removes from the params of ``queryset``'s
    timeline rows (current or historical). A queryset update writes no new history:
    the rows may *be* history. Returns how many rows changed."""
    changed = 0
    for row in queryset.only("pk", "params").iterator():
        scrubbed = scrub_params(row.params, replace)
        if scrubbed != (row.params or {}):
            queryset.model.objects.filter(pk=row.pk).update(params=scrubbed)
            changed += 1
    return changed


# --- What a timeline model declares ---------------------------------------------------


def event_field():
    """The ``event`` column: a registered code (a slug), empty for notes and legacy rows."""
    return models.SlugField(max_length=60, blank=True, default="",
                            help_text="A registered timeline event type (core.timeline); "
                                      "empty for notes and older entries.")


def params_field():
    """The ``params`` column: the structured facts the entry is worded from."""
    return models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder,
                            help_text="What the entry is worded from (core.timeline).")


class TimelineEntry:
    """Mixed into a timeline model that has ``event``, ``params`` and ``text``."""

    def render(self) -> str:
        return render(self.event, self.params, self.text)


# --- The events every work item shares ------------------------------------------------


def _with_detail(params: dict, head: str) -> str:
    """``Head: detail`` when the entry has a detail (even an empty one: what was said),
    ``Head.`` when it has none (None or absent)."""
    detail = params.get("detail")
    return f"{head}." if detail is None else f"{head}: {detail}"


def state_changed(obj, label: str, detail: str | None = None, **more) -> dict:
    """The params of a ``state-changed`` entry for ``obj`` (in its new state)."""
    return {"state": obj.state, "label": label, "detail": detail, **more}


def _clock_message(params: dict) -> str:
    from .choices import ClockEventKind
    from .clocks import CLOCK_KINDS

    # Today's name of the clock kind; the one stored when its app is gone.
    kind = CLOCK_KINDS.get(params["clock"])
    label = kind.label if kind else (params.get("clock_label") or params["clock"])
    try:
        what = ClockEventKind(params["event"]).label
    except ValueError:
        what = params["event"]
    threshold = params.get("threshold")
    detail = params.get("detail")
    return (f"{label}: {what.lower()}" + (f" ({threshold}%)" if threshold else "")
            + (f" — {detail}" if detail else ""))


STATE_CHANGED = "state-changed"
ROLE_ASSIGNED = "role-assigned"
register_event_type(TimelineEventType(
    STATE_CHANGED, lambda p: _with_detail(p, p["label"]), params=("state", "label"),
    description="A transition: the state reached, how it is called, and what was said "
                "(``detail``: a summary or a reason; None when nothing was)."))
register_event_type(TimelineEventType(
    ROLE_ASSIGNED, "{role_label}: {name}.", params=("role", "role_label", "user", "name"),
    description="A role given to someone (``user``: their id) or taken away (``user``: "
                "None, ``name``: nobody)."))

# One type per clock event people read (starts and stops follow the transitions).
CLOCK_EVENTS = ("warning", "breached", "retargeted", "paused", "resumed")
for _event in CLOCK_EVENTS:
    register_event_type(TimelineEventType(
        f"clock-{_event}", _clock_message, params=("clock", "event"),
        description=f"An SLA clock {_event} (``clock``: its kind; ``threshold`` for "
                    "warnings; ``detail`` as the clock says it)."))


def clock_event(clock, event) -> tuple[str, dict] | None:
    """The typed entry for an SLA clock event people should read, or None (starts and
    stops: the transitions that caused them are on the timeline already)."""
    from .clocks import clock_kind

    if event.kind not in CLOCK_EVENTS:
        return None
    return f"clock-{event.kind}", {
        "clock": clock.kind, "clock_label": clock_kind(clock.kind).label, "event": event.kind,
        "threshold": event.threshold or None, "detail": event.detail or "",
    }



def _masked_message(params: dict) -> str:
    where = "in the update" if params.get("where") == "update" else "to the last four digits"
    return f"{params['count']} card number(s) masked {where}."


CARDS_MASKED = register_event_type(TimelineEventType(
    "card-numbers-masked", _masked_message, params=("count",),
    description="Card numbers were masked in what was just written (``count``; "
                "``where``: \"update\" for a status update).")).code


def masked_note(count: int, where: str = "") -> dict:
    """The fields of the system note saying ``count`` card numbers were masked: a typed
    entry (``event``, ``params``) and its wording now (``text``)."""
    params = {"count": count, **({"where": where} if where else {})}
    return {"event": CARDS_MASKED, "params": params, "text": _masked_message(params)}
