"""What the incident services write on an incident's timeline, typed (``core.timeline``):
the codes, the parameters each carries, and their wording, built when the entry is drawn.

Parameters hold facts (severity keys, choice values, ids, instants, names as they were
then); labels of choices are looked up when drawn. Registered when this module is
imported (incidents/apps.py, and the services that write them).
"""

from datetime import UTC, datetime

from core.timeline import choice_label as _label
from core.timeline import define_event as _register

from .choices import ActionItemKind, ActionItemState, Audience


def _utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC)


DECLARED = _register(
    "incident-declared",
    lambda p: (f"{p['severity'] + ' ' if p.get('severity') else ''}incident declared by "
               f"{p['by_name']}: {p['title']}"),
    params=("severity", "by_name", "title"),
    description="The incident declared (``severity``: its key, or None when declared "
                "without one).")
SEVERITY_CHANGED = _register(
    "severity-changed",
    lambda p: f"Severity {p['old'] or 'unset'} → {p['new']}: {p['reason']}",
    params=("old", "new", "reason"),
    description="The severity changed (keys; ``old`` None when it had none), with why.")

# The post-mortem's steps: started (with the incident's transition), then its own.
_POSTMORTEM_STEPS = {"started": "started", "submit": "submitted for review",
                     "publish": "published", "request_changes": "sent back for changes"}
POSTMORTEM_STEP = _register(
    "postmortem-step",
    lambda p: f"Post-mortem {_POSTMORTEM_STEPS.get(p['step'], p['step'])}.",
    params=("step",),
    description="The post-mortem started, or moved (``step``: submit, publish, "
                "request_changes).")
ACTION_ITEM_ADDED = _register(
    "action-item-added",
    lambda p: f"Action item ({_label(ActionItemKind, p['kind']).lower()}): {p['title']}",
    params=("item", "kind", "title"), description="An action item added.")
ACTION_ITEM_MOVED = _register(
    "action-item-moved",
    lambda p: (f"Action item '{p['title']}': {_label(ActionItemState, p['state']).lower()}"
               + (f" — {p['reason']}" if p.get("reason") else "")),
    params=("item", "title", "state"),
    description="An action item started, done or declined (``reason`` when declined).")
MERGED = _register(
    "incident-merged", "{reference} was merged into this incident.",
    params=("incident", "reference"),
    description="Another incident was cancelled as a duplicate of this one.")
STATUS_UPDATE = _register(
    "status-update-posted",
    lambda p: f"{_label(Audience, p['audience'])} update: {p['body']}",
    params=("update", "audience", "body"),
    description="A status update posted (its audience and words).")
TALK_TRACK_UPDATED = _register(
    "talk-track-updated", "Agent talk track updated.",
    description="The agents' talk track was rewritten.")
TIME_CORRECTED = _register(
    "time-corrected",
    lambda p: (f"{p['field'].replace('_', ' ')} corrected from {_utc(p['old']):%Y-%m-%d %H:%M}"
               f" to {_utc(p['new']):%Y-%m-%d %H:%M} UTC: {p['reason']}"),
    params=("field", "old", "new", "reason"),
    description="A stage time corrected (``field``: which; ``old``/``new``: instants).")


def _due(p):
    from core.choices import ClockEventKind

    return f"Action item '{p['title']}': due date {_label(ClockEventKind, p['event']).lower()}"


ACTION_ITEM_DUE = _register(
    "action-item-due", _due, params=("item", "title", "event"),
    description="An action item's due date is near (``event``: warning) or passed "
                "(breached).")
