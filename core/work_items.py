"""The work-item kernel: what every numbered piece of work shares.

Incidents and escalations (and next contracts, service credits, initiatives…) are
*work items*: they have a reference (``core.references``), a timeline people read,
SLA clocks (``core.clocks``), playbook runs, and a closing transition that other
apps may block (``core.hooks.close_blockers``). An app registers each of its work
item models once, and apps that work *on* items of any kind — playbooks today —
talk to this interface instead of naming incidents or escalations:

* :func:`work_item_type` / :func:`work_item_type_of` / :func:`get_work_item` — find
  the registered type by its key (``"incident"``) or an object;
* :func:`may_work` — "may this person work this item?", the object permission the
  type names (a ``rules`` predicate declared once by the owning app);
* :func:`timeline_add` — write an entry on the item's timeline: one signature for
  every app, typed (``event`` + ``params``, worded by ``core.timeline``) or free text;
* :func:`responsible_people` / :func:`playbook_facts` / :func:`is_finished` — what
  the item says about itself through the type's callables; other apps add facts
  about items they know (``register_fact_source``: the vendors an incident names).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.http import Http404

from . import timeline
from .registry import model_label


@dataclass(frozen=True)
class WorkItemType:
    key: str  # short, stable: "incident" (also a playbook's kind)
    model: str  # "incidents.incident"
    label: str
    # Object permission (a rules predicate): may this user work this item?
    work_permission: str
    view_permission: str
    # ``timeline_add(obj, kind, text, *, by, at, event, params, masked)`` → the entry
    # written: stores the row (``core.timeline`` fields) and notes ``masked`` card
    # numbers. Called by :func:`timeline_add` below, never directly by other apps.
    timeline_add: Callable[..., Any]
    # The people working the item (roles, owner): who hears about its playbook steps.
    people: Callable[[Any], list]
    # What attach rules and other matchers may read: {"severity_rank": 2, …}.
    facts: Callable[[Any], dict]
    finished_states: tuple[str, ...] = ("closed",)

    @property
    def model_class(self):
        return apps.get_model(self.model)


_TYPES: dict[str, WorkItemType] = {}


def register_work_item(item_type: WorkItemType) -> WorkItemType:
    _TYPES[item_type.key] = item_type
    return item_type


def work_item_types() -> list[WorkItemType]:
    return list(_TYPES.values())


def work_item_type(key: str) -> WorkItemType:
    return _TYPES[key]


def work_item_type_of(obj) -> WorkItemType:
    label = model_label(obj)
    for item_type in _TYPES.values():
        if item_type.model == label:
            return item_type
    raise LookupError(f"{label} is not a registered work item.")


def is_work_item(obj) -> bool:
    label = model_label(obj)
    return any(t.model == label for t in _TYPES.values())


def get_work_item(key: str, pk):
    """The item of kind ``key`` with ``pk``, or 404 (an unknown kind is a 404 too)."""
    item_type = _TYPES.get(key)
    if item_type is None:
        raise Http404("No such kind of work item.")
    try:
        return item_type.model_class._default_manager.get(pk=pk)
    except item_type.model_class.DoesNotExist as exc:
        raise Http404(f"No such {item_type.label.lower()}.") from exc


def may_work(user, obj) -> bool:
    return user.has_perm(work_item_type_of(obj).work_permission, obj)


def may_view(user, obj) -> bool:
    return user.has_perm(work_item_type_of(obj).view_permission)


def is_finished(obj) -> bool:
    """Over (closed, cancelled, withdrawn…): nothing more attaches or is due."""
    return obj.state in work_item_type_of(obj).finished_states


def timeline_add(obj, kind, text=None, *, event=None, params=None, by, at=None, masked=0):
    """Write an entry on ``obj``'s timeline; ``kind`` is the app's timeline kind (the
    icon and filter people see).

    Typed: ``event`` is a registered ``core.timeline`` code and ``params`` its facts;
    ``text`` defaults to its wording now (kept as the fallback). Untyped: ``text``
    alone (a note someone wrote). Card numbers are masked in the text and in every
    string parameter, and the masking is noted on the timeline (with ``masked`` more
    the caller masked already in what it passes, e.g. a note it stored redacted).
    """
    item_type = work_item_type_of(obj)
    params = dict(params or {})
    if event:
        event_type = timeline.event_type(event)  # an unregistered code is a bug: raise
        params, found = timeline.mask_params(params)
        masked += found
        if text is None:
            text = event_type.format(params)
    elif params:
        raise ValueError("Parameters without an event type: nothing could word them.")
    if text is None:
        raise ValueError("A timeline entry needs an event type or a text.")
    return item_type.timeline_add(obj, kind, text, by=by, at=at, event=event or "",
                                  params=params, masked=masked)


def timeline_clock_event(obj, kind, *, clock, event):
    """The SLA clock hook's timeline entry (``sla_clock_event``), typed: warnings,
    breaches, retargets, pauses and resumes; None for starts and stops (the
    transitions that caused them are on the timeline already)."""
    typed = timeline.clock_event(clock, event)
    if typed is None:
        return None
    code, params = typed
    return timeline_add(obj, kind, event=code, params=params, by=event.by, at=event.at)


def responsible_people(obj) -> list:
    return [person for person in work_item_type_of(obj).people(obj)
            if person is not None and person.is_active]


_FACT_SOURCES: list[Callable[[Any], dict]] = []


def register_fact_source(source: Callable[[Any], dict]) -> Callable[[Any], dict]:
    """``source(obj) -> dict``: more facts about any work item, from an app that knows
    something about it (vendors: ``vendor_ids``); return {} for items it does not know."""
    if source not in _FACT_SOURCES:
        _FACT_SOURCES.append(source)
    return source


def playbook_facts(obj) -> dict:
    """What matchers may read about ``obj``: its type's facts, then every source's."""
    facts = dict(work_item_type_of(obj).facts(obj))
    for source in _FACT_SOURCES:
        facts.update(source(obj) or {})
    return facts


def owner_field(obj, model) -> str:
    """The foreign key of ``model`` that points at ``obj``'s kind of work item (a
    playbook run's ``incident`` or ``escalation``), named after the type's key."""
    key = work_item_type_of(obj).key
    field = model._meta.get_field(key)  # FieldDoesNotExist: ``model`` does not hold this kind
    if not field.is_relation or model_label(field.related_model) != work_item_type_of(obj).model:
        raise LookupError(f"{model._meta.label}.{key} does not point at a {key}.")
    return key
