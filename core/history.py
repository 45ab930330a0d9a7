"""The audit history as people read it: who, when, field old → new, and why.

One selector (:func:`object_history`) and one component
(``templates/components/history.html``) for every object page. An app adds the
History section to its pages with :func:`history_panel`, registered through the
registry's :class:`~core.registry.Panel` like any other card; only roles holding
``core.view_audit_history`` see it (the panel's permission). Fields a role may not
see on the page (money, customers' personal data) are left out of its history too:
the app passes its visibility rule as ``hidden_fields``.

The admin's history page uses the same formatting (:func:`display_value`), so an
empty person reads "—" instead of simple-history's "Deleted user (pk=None)" and
times have no microseconds.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.text import Truncator, capfirst

from .audit import SYSTEM_USERNAME
from .presentation import person_name
from .registry import Panel, register_panel

HISTORY_PERMISSION = "core.view_audit_history"
# Entries shown on a page; older ones stay in the admin's full history.
HISTORY_LIMIT = 50
EMPTY = "—"
# Bookkeeping columns nobody reads as a change (schedules the sweeps keep).
BOOKKEEPING_FIELDS = {"next_action_at", "next_deadline_at", "next_notify_at", "stretches",
                      "email_next_attempt_at"}
KIND_WORDS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def format_instant(value: datetime) -> str:
    """24-hour, in the viewer's zone, to the minute: ``2026-12-06 14:05 GMT``."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.utc)
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")


def display_value(field, value, labels=None) -> str:
    """How a stored value reads in a history line (``labels``: related objects' names
    by primary key, fetched once for the page)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, models.Model):
        return str(value)
    if field is not None and field.is_relation and field.many_to_one:
        name = (labels or {}).get(value)
        return name if name is not None else f"#{value} (deleted)"
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        from .clocks import format_duration

        return format_duration(value)
    if isinstance(value, Decimal):
        return f"{value:,}"
    return Truncator(str(value)).chars(200)


def _model_fields(model):
    return {field.name: field for field in model._meta.get_fields()
            if getattr(field, "concrete", False) and not field.many_to_many}


def _related_labels(fields, wanted) -> dict:
    """``{field name: {pk: label}}`` for the foreign key values the entries show: one
    query per foreign key that changed, whatever the number of entries."""
    labels = {}
    for name, pks in wanted.items():
        found = fields[name].related_model._default_manager.in_bulk(list(pks))
        labels[name] = {pk: (person_name(obj) if hasattr(obj, "get_full_name") else str(obj))
                        for pk, obj in found.items()}
    return labels


def _m2m_fields(obj, hidden) -> list:
    """The many-to-many fields whose history simple-history keeps (``m2m_fields=``);
    it lists them on the historical model."""
    return [field for field in getattr(obj.history.model, "_history_m2m_fields", ())
            if field.name not in hidden]


def _m2m_sets(history_model, field, records) -> dict:
    """``{history id: frozenset of related ids}``: what each record held for ``field``,
    in one query (simple-history keeps the set per record in a model of its own)."""
    from simple_history.utils import get_m2m_reverse_field_name

    through = field.remote_field.through
    rows_model = next(rel.related_model for rel in history_model._meta.related_objects
                      if getattr(rel.related_model, "instance_type", None) is through)
    sets = defaultdict(set)
    for history_id, related_id in rows_model.objects.filter(
            history__in=[record.pk for record in records]).values_list(
            "history_id", f"{get_m2m_reverse_field_name(field)}_id"):
        sets[history_id].add(related_id)
    return {record.pk: frozenset(sets.get(record.pk, ())) for record in records}


def _m2m_label(ids, labels) -> str:
    if not ids:
        return EMPTY
    return ", ".join(sorted(labels.get(pk, f"#{pk} (deleted)") for pk in ids))


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return EMPTY
    if user.username == SYSTEM_USERNAME:
        return "Switchboard (automatic)"
    return person_name(user)


def object_history(obj, *, hidden: set[str] | frozenset = frozenset(),
                   limit: int = HISTORY_LIMIT) -> dict:
    """``{"entries", "more"}``: ``obj``'s history newest first, each entry
    ``{"at", "when", "who", "why", "kind", "changes": [{"field", "old", "new"}]}``.

    A fixed number of queries: the records (one more than shown, to diff the oldest
    shown against), the people, one per many-to-many field kept in the history (its
    rows for every record), and one per foreign key or many-to-many field that changed. Fields in
    ``hidden`` never appear; neither do bookkeeping columns.
    """
    model = type(obj)
    m2m = _m2m_fields(obj, hidden)
    records = list(obj.history.select_related("history_user")
                   .order_by("-history_date", "-history_id")[:limit + 1])
    m2m_sets = {field.name: _m2m_sets(obj.history.model, field, records) for field in m2m}
    fields = _model_fields(model)
    tracked = [name for name in fields
               if name not in hidden and name not in BOOKKEEPING_FIELDS
               and hasattr(records[0] if records else None, fields[name].attname)]
    raw = []  # (record, [(field, old, new)]) before the related names are known
    wanted = defaultdict(set)
    for index, record in enumerate(records[:limit]):
        older = records[index + 1] if index + 1 < len(records) else None
        changed = []
        if older is not None and record.history_type == "~":
            for name in tracked:
                field = fields[name]
                old, new = getattr(older, field.attname), getattr(record, field.attname)
                if old == new:
                    continue
                changed.append((field, old, new))
                if field.is_relation and field.many_to_one:
                    wanted[name].update(v for v in (old, new) if v is not None)
            for field in m2m:  # a set changed: channels added, a participant removed
                old, new = m2m_sets[field.name][older.pk], m2m_sets[field.name][record.pk]
                if old != new:
                    changed.append((field, old, new))
                    wanted[field.name].update(old | new)
        raw.append((record, changed))
    labels = _related_labels({**fields, **{field.name: field for field in m2m}}, wanted)
    entries = []
    for record, changed in raw:
        entries.append({
            "at": record.history_date, "when": format_instant(record.history_date),
            "who": _who(record), "why": record.history_change_reason or "",
            "kind": KIND_WORDS.get(record.history_type, record.history_type),
            "changes": [{"field": capfirst(str(field.verbose_name)),
                         "old": _shown(field, old, labels.get(field.name)),
                         "new": _shown(field, new, labels.get(field.name))}
                        for field, old, new in changed],
        })
    return {"entries": entries, "more": len(records) > limit}


def _shown(field, value, labels) -> str:
    if field.many_to_many:
        return _m2m_label(value, labels or {})
    return display_value(field, value, labels)


def history_panel(model: str, *, slot: str = "history",
                  hidden_fields: Callable[[object], set[str]] | None = None,
                  order: int = 900) -> Panel:
    """Register the History section on ``model``'s page (``"vendors.contract"``), in
    the host's ``slot``; ``hidden_fields(user)`` names the fields the viewer may not see."""

    def context(request, obj, forms):
        hidden = set(hidden_fields(request.user)) if hidden_fields else set()
        return {"history": object_history(obj, hidden=hidden)}

    return register_panel(Panel(f"history.{model}", model=model,
                                template="components/history.html", context=context,
                                permission=HISTORY_PERMISSION, slot=slot, order=order))
