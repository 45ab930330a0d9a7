"""Demo customers and escalations: forty accounts across every tier, and escalations in
every state, all added through the services.

Contact details are fictional and unroutable: ``example.*`` email domains and the
UK's reserved drama numbers (07700 900xxx). Idempotent: customers already there
(by account reference) are left as they are.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.audit import save_with_audit

from . import services
from .choices import CustomerTier
from .models import Customer

T = CustomerTier

# (name, tier, annual value, town, note)
CUSTOMERS = [
    ("Harriet Okafor", T.VIP, "84000", "Leeds", "Prefers email; copy her PA on updates."),
    ("Northgate Dental Group", T.HIGH_VALUE, "412500", "Manchester",
     "Twelve practices on one contract; renewal due in spring."),
    ("Tomasz Wiśniewski", T.STANDARD, "540", "Bradford", ""),
    ("Priya Raman", T.PRIORITY, "2400", "Leicester", "Complained twice about hold times."),
    ("Aled Pritchard", T.STANDARD, "480", "Cardiff", ""),
    ("Brightwell Logistics Ltd", T.HIGH_VALUE, "265000", "Felixstowe",
     "Fleet telematics plus contact-center overflow."),
    ("Siobhán Gallagher", T.PRIORITY, "3100", "Belfast", ""),
    ("Marcus Bell", T.STANDARD, "360", "Sheffield", ""),
    ("Chen Wei", T.VIP, "56000", "London", "Board member of a partner; handle personally."),
    ("Fatima Zahra El Idrissi", T.STANDARD, "600", "Birmingham", "Arabic or French preferred."),
    ("Rowan & Finch Solicitors", T.PRIORITY, "18400", "York", ""),
    ("Gareth Llewellyn", T.STANDARD, "420", "Swansea", ""),
    ("Olusegun Adeyemi", T.PRIORITY, "2800", "Croydon", ""),
    ("Emily Hartmann", T.STANDARD, "300", "Bristol", ""),
    ("Kestrel Home Insurance", T.HIGH_VALUE, "730000", "Norwich",
     "White-label claims line; their regulator copies us on complaints."),
    ("Isla MacLeod", T.STANDARD, "390", "Inverness", ""),
    ("Dr Anjali Mehta", T.VIP, "47500", "Oxford", "Do not call before 10:00."),
    ("Luca Bianchi", T.STANDARD, "510", "Edinburgh", ""),
    ("Niamh O'Sullivan", T.PRIORITY, "2650", "Cork", ""),
    ("Pennine Housing Association", T.PRIORITY, "21900", "Halifax",
     "Tenants call on their behalf; verify the tenancy reference."),
    ("Jamal Haddad", T.STANDARD, "450", "Nottingham", ""),
    ("Sophie Laurent", T.STANDARD, "330", "Brighton", ""),
    ("Ravi Chandrasekaran", T.VIP, "61200", "Reading", "Executive sponsor at Telvia."),
    ("Grace Mwangi", T.STANDARD, "560", "Coventry", ""),
    ("Oakridge Veterinary Clinics", T.PRIORITY, "14800", "Exeter", ""),
    ("Daniel Kowalczyk", T.STANDARD, "280", "Hull", ""),
    ("Beatriz Santos", T.PRIORITY, "1950", "Southampton", ""),
    ("Callum Fraser", T.STANDARD, "470", "Aberdeen", ""),
    ("Meridian Travel plc", T.HIGH_VALUE, "388000", "Gatwick",
     "Peak season June–August; agree changes with their ops director."),
    ("Yusuf Demir", T.STANDARD, "350", "Luton", ""),
    ("Eleanor Whitcombe", T.VIP, "39000", "Bath", "Long-standing customer since 2009."),
    ("Hannah Schofield", T.PRIORITY, "2200", "Wakefield", "Hearing impaired: text relay."),
    ("Kwame Asante", T.STANDARD, "610", "Milton Keynes", ""),
    ("Ingrid Svensson", T.STANDARD, "300", "Durham", ""),
    ("Thames Valley Credit Union", T.PRIORITY, "26500", "Slough", ""),
    ("Arjun Kapoor", T.STANDARD, "440", "Wolverhampton", ""),
    ("Lucy Brennan", T.PRIORITY, "2350", "Galway", ""),
    ("Mohammed Al-Sayed", T.VIP, "52800", "Manchester", "Arabic-speaking agent if possible."),
    ("Zofia Nowak", T.STANDARD, "380", "Peterborough", ""),
    ("Sam Whitaker", T.STANDARD, "290", "Lincoln", "Recently bereaved: account holder changed."),
]


def _email(name: str, index: int) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.lower())
    domain = ("example.com", "example.org", "example.net")[index % 3]
    return f"{'.'.join(words)}@{domain}"


def seed_customers() -> int:
    """Add the demo customers that are missing; returns how many were added."""
    manager = get_user_model().objects.filter(username="manager").first()
    if manager is None:
        return 0
    existing = set(Customer.objects.values_list("account_reference", flat=True))
    added = 0
    with transaction.atomic():
        for index, (name, tier, value, town, note) in enumerate(CUSTOMERS):
            reference = f"ACC-{104200 + index * 37}"
            if reference in existing:
                continue
            services.customer_create(
                by=manager, name=name, account_reference=reference, tier=tier,
                annual_value=Decimal(value), email=_email(name, index),
                phone=f"07700 900{100 + index * 7:03d}",
                address=f"{10 + index} High Street\n{town}", notes=note,
            )
            added += 1
    return added


# --- SLA policies and escalations -------------------------------------------------------

H = timedelta(hours=1)
M = timedelta(minutes=1)
DAY = timedelta(days=1)

# name, order, conditions, targets (first response, update, containment, resolution)
POLICIES = [
    ("VIP and high-value customers", 10, {"customer_tier": T.VIP},
     (H, 4 * H, 8 * H, 2 * DAY)),
    ("High-value accounts", 20, {"customer_tier": T.HIGH_VALUE},
     (H, 4 * H, 8 * H, 2 * DAY)),
    ("Regulatory complaints", 30, {"category": "regulatory"},
     (2 * H, DAY, 2 * DAY, 10 * DAY)),
    ("Urgent (P1)", 40, {"priority": "P1"}, (H, 2 * H, 4 * H, DAY)),
    ("Everything else", 100, {}, (4 * H, DAY, 2 * DAY, 5 * DAY)),
]


@dataclass(frozen=True)
class Story:
    """One demo escalation: who, what, and how far it got."""

    customer: int  # index into CUSTOMERS
    category: str
    priority: str
    summary: str
    reached: str  # a state, or "withdrawn"
    opened: timedelta  # how long ago
    channel: str = ""
    regime: str = ""  # RegulatoryRegime code
    tiers: tuple = ()  # ("L2", acknowledged?), climbed in order
    compensation: tuple = ()  # (amount, note, approved by: "" / "escalation" / "manager")
    incident: str = ""  # link to the demo incident whose title contains this
    updates: int = 0  # customer updates logged


STORIES = [
    # Opened ten minutes before the demo starts: its first-response clock (1 h) warns
    # during a first visit and would breach (and climb to L2) only after 50 minutes.
    Story(0, "complaint", "P1", "Disconnected three times while reporting a bereavement", "new",
          10 * M, channel="voice"),
    Story(8, "executive", "P1", "Board member's home broadband down for four days", "triaged",
          5 * H, channel="email", tiers=(("L2", True), ("L3", False))),
    Story(14, "regulatory", "P2", "Claim complaint cites the ombudsman; final response due",
          "contained", 9 * DAY, channel="email", regime="uk-fca-disp", tiers=(("L2", True),),
          compensation=("150.00", "Goodwill payment for the delay in handling the claim",
                        "escalation"), updates=2),
    Story(1, "billing", "P2", "Twelve practices double-billed after the tariff change",
          "awaiting_customer", 50 * H, channel="email",
          compensation=("1840.00", "Refund of the duplicate March invoices for 12 practices",
                        "")),
    Story(3, "complaint", "P3", "Hold times over 40 minutes on three calls this week",
          "resolved", 5 * DAY, channel="voice", incident="", updates=1,
          compensation=("25.00", "Bill credit for the waiting time", "escalation")),
    Story(5, "technical", "P2", "Overflow queue routed to a closed site for two hours",
          "review", 8 * DAY, channel="voice"),
    Story(10, "social_media", "P2", "Viral post about a rude agent; 2,000 shares", "closed",
          17 * DAY, channel="social", updates=3),
    Story(6, "billing", "P3", "Direct debit taken twice in October", "withdrawn", 90 * H),
    Story(12, "complaint", "P3", "Engineer missed two appointments", "triaged", 20 * H,
          channel="voice"),
    Story(34, "regulatory", "P2", "Payment to a supplier sent twice; customer wants it back",
          "triaged", 6 * DAY, channel="email", regime="uk-fca-psd", updates=1),
    Story(22, "complaint", "P1", "Executive sponsor cut off mid-call twice during the outage",
          "triaged", 30 * H, channel="voice", tiers=(("L2", False),)),
    Story(16, "complaint", "P2", "Prescription reminder texts stopped arriving", "contained",
          3 * DAY, channel="sms", updates=1),
    Story(28, "technical", "P1", "Group booking line unreachable during peak weekend",
          "resolved", 12 * DAY, channel="voice", tiers=(("L2", True),),
          compensation=("6500.00", "Service credit under the peak-season clause", "manager")),
    Story(30, "complaint", "P3", "Letter sent to the wrong address after the house move",
          "closed", 25 * DAY, channel="email"),
]

# A burst: several chat customers in the last hour saying the same thing, not yet linked
# to any incident, so the dashboard suggests one.
BURST = [(2, "Chat window closes as soon as I type"), (4, "Can't start a chat on the app"),
         (7, "Chat says an agent joined, then nothing"), (9, "Chat keeps disconnecting"),
         (11, "Lost my chat halfway through a refund"), (13, "Chat button does nothing")]

STEPS = ["new", "triaged", "contained", "awaiting_customer", "resolved", "review", "closed"]


def seed_escalations(now=None) -> int:
    """Demo SLA policies and escalations in every state, through the services: tier
    climbs acknowledged and pending, regulatory complaints with their deadlines,
    compensation approved and waiting, links to demo incidents, and a burst of chat
    complaints the dashboard turns into "possible incident".

    Idempotent: an escalation already there (by its summary) is left alone.
    """
    from core.calendars import BusinessCalendar
    from core.choices import Role

    from .models import Escalation, EscalationSlaPolicy, RegulatoryRegime

    users = get_user_model().objects
    lead = users.filter(username="escalation").first()
    manager = users.filter(username="manager").first()
    if lead is None or manager is None or not lead.groups.filter(name=Role.ESCALATION_LEAD):
        return 0
    now = now or timezone.now()
    office = BusinessCalendar.objects.filter(name="UK office hours").first()
    for name, order, conditions, (first, update, contain, resolve) in POLICIES:
        if not EscalationSlaPolicy.objects.filter(order=order).exists():
            services.policy_save(policy=EscalationSlaPolicy(
                name=name, order=order, first_response=first, update_cadence=update,
                containment=contain, resolution=resolve,
                calendar=None if conditions.get("customer_tier") else office, **conditions),
                by=manager, reason="Demo data")
    # The UK regimes count UK business days (the seeded examples have no calendar).
    if office is not None:
        for regime in RegulatoryRegime.objects.filter(code__startswith="uk-",
                                                      calendar__isnull=True):
            regime.calendar = office
            save_with_audit(regime, by=manager, reason="Demo data: UK business days")
    customers = list(Customer.objects.order_by("pk"))
    existing = set(Escalation.objects.values_list("summary", flat=True))
    stories = [*STORIES, *(Story(index, "technical", "P2", summary, "new",
                                 (5 + 7 * n) * M, channel="chat")
                           for n, (index, summary) in enumerate(BURST))]
    created = 0
    with transaction.atomic():
        for story in stories:
            if story.customer >= len(customers) or story.summary in existing:
                continue
            _tell(story, customers[story.customer], lead, manager, now)
            created += 1
        if created:
            # The seeded tier changes' reminders that fell due in the seeded past have
            # been sent (history); the next ones come at the usual pace.
            services.tier_changes_renotify(now=now)
    return created


def _tell(story, customer, lead, manager, now):
    from incidents.models import Channel, Incident

    from .models import RegulatoryRegime

    at = now - story.opened
    # Steps are spread over the escalation's life so far, never in the future.
    gap = min(H, story.opened / 8)

    def step():
        nonlocal at
        at = at + gap
        return at

    escalation = services.escalation_create(
        by=lead, customer=customer, category=story.category, priority=story.priority,
        summary=story.summary, owner=lead, at=at,
        channel=Channel.objects.filter(key=story.channel).first() if story.channel else None,
        regulatory_regime=RegulatoryRegime.objects.filter(code=story.regime).first()
        if story.regime else None,
        description="Customer called back twice; details in the CRM case.")
    if story.reached == "withdrawn":
        services.escalation_withdraw(escalation=escalation, by=lead, at=step(),
                                     reason="Customer's bank reversed the second payment.")
        return escalation
    target = STEPS.index(story.reached)
    if target >= 1:
        escalation = services.escalation_triage(escalation=escalation, by=lead, at=step())
    for number in range(story.updates):
        services.escalation_add_note(
            escalation=escalation, by=lead, at=step(), customer_update=True,
            text=("Called the customer: apologised and explained what we are checking."
                  if number == 0 else "Emailed the customer an update on progress."))
    for tier, acknowledged in story.tiers:
        change = services.escalation_escalate_tier(
            escalation=escalation, by=lead, at=step(),
            reason=f"Needs {tier}: the customer asked for someone senior")
        if acknowledged:
            services.tier_change_acknowledge(tier_change=change, by=manager, at=step())
    if story.compensation:
        amount, note, approver = story.compensation
        services.escalation_offer_compensation(escalation=escalation, by=lead, amount=amount,
                                               note=note, at=step())
        if approver:
            services.escalation_approve_compensation(
                escalation=escalation, by=lead if approver == "escalation" else manager,
                at=step())
    if target >= 2:
        escalation = services.escalation_contain(
            escalation=escalation, by=lead, at=step(),
            note="Called the customer, apologised, interim credit applied while we "
                 "investigate.")
    if story.reached == "awaiting_customer":
        services.escalation_await_customer(escalation=escalation, by=lead, at=step(),
                                           reason="Waiting for the list of affected invoices.")
        return escalation
    from playbooks.demo import work_playbooks

    work_playbooks(escalation, by=lead, at=step(), finish=target >= 4)
    if target >= 4:
        escalation = services.escalation_resolve(
            escalation=escalation, by=lead, at=step(),
            resolution="Root cause fixed and the customer accepted the remedy.")
    if target >= 5:
        escalation = services.escalation_start_review(escalation=escalation, by=lead,
                                                      at=step())
    if target >= 6:
        services.escalation_close(
            escalation=escalation, by=manager, at=step(),
            root_cause_review="Agent coaching gap on tone; added to the QA scorecard.")
    if story.updates and escalation.state in ("triaged", "contained"):
        # The desk keeps its promises: the latest update went out a little while ago.
        services.escalation_add_note(escalation=escalation, by=lead, customer_update=True,
                                     at=now - 25 * M,
                                     text="Called the customer with the latest on the case.")
    _link_to_an_incident(escalation, story, manager, Incident)
    return escalation


def _link_to_an_incident(escalation, story, manager, incident_model):
    """Voice complaints go with the most recent voice incident of the demo history."""
    if story.channel != "voice":
        return
    incident = (incident_model.objects.filter(channels__key="voice",
                                              declared_at__lte=escalation.created_at
                                              + timedelta(hours=1))
                .exclude(state="cancelled").order_by("-declared_at").first())
    if incident is not None:
        services.incident_link_escalations(incident=incident, escalations=[escalation],
                                           by=manager, at=escalation.created_at)
