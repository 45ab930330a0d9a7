"""What playbooks write on an incident's or escalation's timeline, typed
(``core.timeline``): the codes, the parameters each carries, and their wording.

Registered when this module is imported (playbooks/apps.py, and services.py which
writes them). Reports read the params — which playbook, which step, who — rather
than the sentence.
"""

from core.timeline import TimelineEventType, register_event_type

# The timeline kind (icon and filter) of these entries on every work item.
TIMELINE_KIND = "playbook"


def _attached(p):
    why = f"its rule ({p['rule']}) matched" if p.get("rule") else f"attached by {p['by_name']}"
    return f"Playbook **{p['playbook']}** (v{p['version']}) attached: {why}. {p['steps']} steps."


def _done(p):
    note, link = p.get("note") or "", p.get("link") or ""
    evidence = f": {note}" if note else (f" ({link})" if link else "")
    return f"{p['playbook']} step {p['position']} done by {p['by_name']} — {p['title']}{evidence}"


ATTACHED = register_event_type(TimelineEventType(
    "playbook-attached", _attached,
    params=("playbook", "version", "steps", "rule", "by_name"),
    description="A playbook attached (``rule``: the matching rule described, or None "
                "when attached by hand)")).code
STEP_DONE = register_event_type(TimelineEventType(
    "playbook-step-done", _done, params=("playbook", "position", "title", "by_name"),
    description="A step checked off, with its ``note`` or ``link`` evidence")).code
STEP_SKIPPED = register_event_type(TimelineEventType(
    "playbook-step-skipped", "{playbook} step {position} skipped by {by_name} — {title}: "
                             "{reason}",
    params=("playbook", "position", "title", "by_name", "reason"),
    description="An optional step skipped, with the reason")).code
STEP_DUE_SOON = register_event_type(TimelineEventType(
    "playbook-step-due-soon", "Playbook step “{title}” is due soon ({threshold}% used).",
    params=("title", "threshold"), description="A step's clock reached its warning")).code
STEP_OVERDUE = register_event_type(TimelineEventType(
    "playbook-step-overdue", "Playbook step “{title}” is overdue.", params=("title",),
    description="A step's clock passed its due time")).code
