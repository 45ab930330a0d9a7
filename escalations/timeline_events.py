"""What the escalation services write on timelines, typed (``core.timeline``): the codes,
the parameters each carries, and their wording, built when the entry is drawn.

Parameters hold facts, never sentences: tiers (``L2``), clock kinds, durations in
seconds, instants, amounts as decimal strings with their currency, names of people,
policies and regimes as they were then. Labels (a tier's name, a clock's, a counting
rule's) are looked up when drawn, so renaming one reaches old entries too. Erasure
scrubs the string parameters (``core.timeline.scrub_timeline_params``).

Registered when this module is imported (escalations/apps.py, and the services).
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from core.timeline import choice_label as _label
from core.timeline import define_event as _register

from .choices import DayCounting, Tier


def tier_label(tier) -> str:
    """``L2 (specialist)``: how a tier reads on the timeline."""
    return _label(Tier, tier)


def clock_label(kind) -> str:
    from .clock_kinds import KINDS

    return KINDS.get(kind, kind)


def duration_words(seconds) -> str:
    from core.clocks import format_duration

    return format_duration(timedelta(seconds=seconds))


def money_words(amount, currency) -> str:
    """``EUR 1,250.00``."""
    return f"{currency} {Decimal(str(amount)):,.2f}"


def deadline_words(due_at, zone: str) -> str:
    """``end of Tue 24 Mar 2026 (Europe/London)``: the day a deadline closes."""
    if isinstance(due_at, str):
        due_at = datetime.fromisoformat(due_at)
    tz = ZoneInfo(zone)
    last_day = (due_at.astimezone(tz) - timedelta(microseconds=1)).date()
    return f"end of {last_day:%a} {last_day.day} {last_day:%b %Y} ({tz.key})"


def _clock_changes(changes) -> str:
    """What a policy did to the clocks: ``First response 4h → 2h; Resolution started
    (3d)``, or that nothing moved."""
    if not changes:
        return "No clock moved."
    words = []
    for change in changes:
        label = clock_label(change["clock"])
        if change.get("old") is None:
            words.append(f"{label} started ({duration_words(change['new'])})")
        else:
            words.append(f"{label} {duration_words(change['old'])} → "
                         f"{duration_words(change['new'])}")
    return "; ".join(words) + "."


# --- Opening, editing, talking to the customer -----------------------------------------

CREATED = _register(
    "escalation-created",
    lambda p: (f"Escalation opened by {p['by_name']}: {p['summary']}. "
               + (f"SLA policy: {p['policy']} (v{p['policy_version']})." if p.get("policy")
                  else "No SLA policy matched.")),
    params=("by_name", "summary", "policy"),
    description="An escalation opened (``policy``: the SLA policy that matched, or None).")


def _edited(p):
    parts = []
    for change in p["changes"]:
        name = change["field"].replace("_", " ")
        if "old" not in change:  # free text: named, not repeated
            parts.append(name)
        else:
            parts.append(f"{name} {change['old'] or '—'} → {change['new'] or '—'}")
    return f"Edited: {'; '.join(parts)}."


EDITED = _register(
    "escalation-edited", _edited, params=("changes",),
    description="Fields changed: ``changes`` is a list of ``{field, old, new}`` (free-text "
                "fields by ``field`` alone).")
CUSTOMER_UPDATED = _register(
    "customer-updated", "{message}", params=("message",),
    description="What the customer was told (the lead's words, card numbers masked).")
CUSTOMER_ERASED = _register(
    "customer-data-erased", "The customer's personal data was erased on request.",
    description="The customer's personal data was erased (the entries keep their facts).")

# --- The tier ladder -------------------------------------------------------------------

TIER_ESCALATED = _register(
    "tier-escalated",
    lambda p: (f"{'Escalated automatically' if p['automatic'] else 'Escalated'} to "
               f"{tier_label(p['to_tier'])} by "
               f"{'the system' if p['automatic'] else p['by_name']}: {p['reason']}. "
               f"Waiting for the {p['to_tier']} lead to acknowledge."),
    params=("from_tier", "to_tier", "automatic", "by_name", "reason"),
    description="Moved one tier up (by someone, or automatically on a breach); the "
                "receiving tier must acknowledge.")
TIER_DE_ESCALATED = _register(
    "tier-de-escalated",
    lambda p: f"De-escalated to {tier_label(p['to_tier'])} by {p['by_name']}: {p['reason']}.",
    params=("from_tier", "to_tier", "by_name", "reason"),
    description="Moved one tier down.")
TIER_ACKNOWLEDGED = _register(
    "tier-acknowledged", "{to_tier} escalation acknowledged by {by_name}.",
    params=("to_tier", "by_name"),
    description="The receiving tier's lead (or a manager) took the escalation.")
TIER_REMINDED = _register(
    "tier-reminded",
    "{to_tier} escalation not acknowledged: leads reminded ({attempt}/{attempts}).",
    params=("to_tier", "attempt", "attempts"),
    description="Nobody acknowledged in time: the tier's leads were reminded.")


def _unacknowledged(p):
    above = p.get("above")
    who = f"the {above} leads" if above else "the managers"
    return (f"{p['to_tier']} escalation not acknowledged after {p['attempts']} "
            f"notifications: {who} told.")


TIER_UNACKNOWLEDGED = _register(
    "tier-unacknowledged", _unacknowledged, params=("to_tier", "attempts", "above"),
    description="Still not acknowledged after every reminder: the tier above (``above``; "
                "None: the managers) was told.")

# What a breached clock did to the ladder when it could not climb (escalations/clock_kinds.py).
BREACH_AT_TOP = _register(
    "breach-at-top-tier",
    lambda p: (f"{clock_label(p['clock'])} breached; already at L4 (executive), so no "
               "further escalation."),
    params=("clock",), description="A clock breached at L4: nowhere to climb.")
BREACH_WAITING = _register(
    "breach-awaiting-acknowledgement",
    lambda p: (f"{clock_label(p['clock'])} breached; still waiting for {p['to_tier']} to "
               "acknowledge the last escalation, so no further tier change."),
    params=("clock", "to_tier"),
    description="A clock breached while the last escalation up was not yet acknowledged.")
BREACH_REFUSED = _register(
    "breach-escalation-refused",
    lambda p: (f"{clock_label(p['clock'])} breached; automatic escalation not possible: "
               f"{'; '.join(p['messages'])}"),
    params=("clock", "messages"),
    description="A clock breached and the automatic escalation was refused (``messages``: "
                "why, as the refusal said).")

# --- SLA policy and regulatory deadline ------------------------------------------------

POLICY_CHANGED = _register(
    "policy-changed",
    lambda p: (f"SLA policy changed: {p['before'] or 'none'} → {p['policy']} "
               f"(v{p['version']}). " + _clock_changes(p["changes"])),
    params=("before", "policy", "version", "changes"),
    description="Another SLA policy now matches (``changes``: per clock ``{clock, old, "
                "new}`` targets in seconds, ``old`` None for a clock started).")
POLICY_APPLIED = _register(
    "policy-applied",
    lambda p: (f"SLA policy {p['policy']} v{p['version']} applied: {p['reason']}. "
               + _clock_changes(p["changes"])),
    params=("policy", "version", "reason", "changes"),
    description="The policy's current targets applied again, with why.")
REGULATORY_SET = _register(
    "regulatory-regime-set",
    lambda p: (f"Regulatory regime: {p['regime']} — final response due by "
               f"{deadline_words(p['due_at'], p['zone'])}."),
    params=("regime", "due_at", "zone"),
    description="A regulatory regime applies: its final-response deadline (``due_at``, "
                "read in the regime's ``zone``).")
REGULATORY_REMOVED = _register(
    "regulatory-regime-removed", "Regulatory regime removed (was {regime}).",
    params=("regime",), description="The escalation is no longer under a regime.")
REGULATORY_EXTENDED = _register(
    "regulatory-deadline-extended",
    lambda p: (f"Regulatory deadline extended to {p['days']} "
               f"{_label(DayCounting, p['counting']).lower()}: due by "
               f"{deadline_words(p['due_at'], p['zone'])}. {p['reason']}"),
    params=("days", "counting", "due_at", "zone", "reason"),
    description="The regime's one extension used, with the reason.")

# --- Compensation ----------------------------------------------------------------------

_OFFER_STATUS = {"approved": "already approved",
                 "withdrawn": "approval withdrawn: it needs approving again",
                 "needed": "needs approval"}
COMPENSATION_OFFERED = _register(
    "compensation-offered",
    lambda p: (f"Compensation of {money_words(p['amount'], p['currency'])} offered: "
               f"{p['note']} ({_OFFER_STATUS.get(p['approval'], p['approval'])})."),
    params=("amount", "currency", "note", "approval"),
    description="Compensation offered (``approval``: approved, withdrawn or needed).")
COMPENSATION_APPROVED = _register(
    "compensation-approved",
    lambda p: (f"Compensation of {money_words(p['amount'], p['currency'])} approved by "
               f"{p['by_name']}."),
    params=("amount", "currency", "by_name"), description="Compensation approved.")

# --- Links between escalations and incidents (written on both) -------------------------

def _incident_state(state) -> str:
    from incidents.choices import IncidentState

    return _label(IncidentState, state)


LINKED = _register(
    "incident-linked",
    lambda p: (f"Linked to incident {p['reference']} ({_incident_state(p['state']).lower()})"
               f": {p['title']}."),
    params=("incident", "reference", "state", "title"),
    description="On an escalation: linked to an incident (its state then).")
UNLINKED = _register(
    "incident-unlinked", "Unlinked from incident {reference}.",
    params=("incident", "reference"), description="On an escalation: the link removed.")


def _escalations_linked(p):
    shown = p["references"]
    more = f" and {p['count'] - len(shown)} more" if p["count"] > len(shown) else ""
    return (f"{p['by_name']} linked {p['count']} customer escalation(s): "
            f"{', '.join(shown)}{more}.")


ESCALATIONS_LINKED = _register(
    "escalations-linked", _escalations_linked, params=("by_name", "count", "references"),
    description="On an incident: customer escalations linked (``references``: the first "
                "twenty).")
ESCALATION_UNLINKED = _register(
    "escalation-unlinked", "{by_name} unlinked escalation {reference}.",
    params=("by_name", "escalation", "reference"),
    description="On an incident: an escalation's link removed.")

# An incident cancelled as a duplicate hands its links to the one it duplicates.
LINK_MOVED = _register(
    "incident-link-moved",
    "Incident {duplicate} was merged into {survivor}: now linked to {survivor}.",
    params=("duplicate", "survivor"),
    description="On an escalation: its incident was merged, the link follows the survivor.")
ESCALATIONS_MOVED = _register(
    "escalations-moved",
    lambda p: (f"{p['count']} customer escalation(s) moved here from {p['duplicate']}: "
               f"{', '.join(p['references'])}{' …' if p['count'] > len(p['references']) else ''}."),
    params=("duplicate", "count", "references"),
    description="On an incident: the escalations of a duplicate merged into it (the first "
                "twenty ``references``).")
