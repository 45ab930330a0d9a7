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
* :func:`timeline_add` — write a typed entry on the item's timeline;
* :func:`responsible_people` / :func:`playbook_facts` / :func:`is_finished` — what
  the item says about itself through the type's callables.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.http import Http404

from .registry import model_label


@dataclass(frozen=True)
class WorkItemType:
    key: str  # short, stable: "incident" (also a playbook's kind)
    model: str  # "incidents.incident"
    label: str
    # Object permission (a rules predicate): may this user work this item?
    work_permission: str
    view_permission: str
    # ``timeline_add(obj, kind, text, *, by, at, params)`` → the entry written.
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


def timeline_add(obj, kind, text, *, by, at=None, params=None):
    return work_item_type_of(obj).timeline_add(obj, kind, text, by=by, at=at,
                                               params=params or {})


def responsible_people(obj) -> list:
    return [person for person in work_item_type_of(obj).people(obj)
            if person is not None and person.is_active]


def playbook_facts(obj) -> dict:
    return work_item_type_of(obj).facts(obj)
