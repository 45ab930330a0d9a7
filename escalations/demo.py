"""Demo customers: forty accounts across every tier, added through the services.

Contact details are fictional and unroutable: ``example.*`` email domains and the
UK's reserved drama numbers (07700 900xxx). Idempotent: customers already there
(by account reference) are left as they are.
"""

import re
import unicodedata
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

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

# customer index, category, priority, summary, how far it got, hours ago it was opened
ESCALATIONS = [
    (0, "complaint", "P1", "Disconnected three times while reporting a bereavement", "new", 1),
    (8, "executive", "P1", "Board member's home broadband down for four days", "triaged", 5),
    (14, "regulatory", "P2", "Claim complaint cites the ombudsman; final response due",
     "contained", 30),
    (1, "billing", "P2", "Twelve practices double-billed after the tariff change",
     "awaiting_customer", 50),
    (3, "complaint", "P3", "Hold times over 40 minutes on three calls this week",
     "resolved", 120),
    (5, "technical", "P2", "Overflow queue routed to a closed site for two hours",
     "review", 200),
    (10, "social_media", "P2", "Viral post about a rude agent; 2,000 shares", "closed", 400),
    (6, "billing", "P3", "Direct debit taken twice in October", "withdrawn", 90),
    (12, "complaint", "P3", "Engineer missed two appointments", "triaged", 20),
]

STEPS = ["new", "triaged", "contained", "awaiting_customer", "resolved", "review", "closed"]


def seed_escalations(now=None) -> int:
    """Demo SLA policies and escalations in every state, through the services.

    Idempotent: does nothing once any escalation exists.
    """
    from core.calendars import BusinessCalendar
    from core.choices import Role

    from .models import Escalation, EscalationSlaPolicy

    if Escalation.objects.exists():
        return 0
    users = get_user_model().objects
    lead = users.filter(username="escalation").first()
    manager = users.filter(username="manager").first()
    if lead is None or manager is None or not lead.groups.filter(name=Role.ESCALATION_LEAD):
        return 0
    now = now or timezone.now()
    office = BusinessCalendar.objects.filter(name="UK office hours").first()
    for name, order, conditions, (first, update, contain, resolve) in POLICIES:
        if not EscalationSlaPolicy.objects.filter(order=order).exists():
            EscalationSlaPolicy.objects.create(
                name=name, order=order, first_response=first, update_cadence=update,
                containment=contain, resolution=resolve,
                calendar=None if conditions.get("customer_tier") else office, **conditions)
    customers = list(Customer.objects.order_by("pk"))
    created = 0
    with transaction.atomic():
        for index, category, priority, summary, reached, hours_ago in ESCALATIONS:
            if index >= len(customers):
                continue
            at = now - timedelta(hours=hours_ago)
            escalation = services.escalation_create(
                by=lead, customer=customers[index], category=category, priority=priority,
                summary=summary, owner=lead, at=at)
            _advance(escalation, reached, lead, manager, at)
            created += 1
    return created


def _advance(escalation, reached, lead, manager, at):
    """Walk the escalation to the state it should show, an hour a step."""
    def step():
        nonlocal at
        at = at + timedelta(hours=1)
        return at

    if reached == "withdrawn":
        services.escalation_withdraw(escalation=escalation, by=lead, at=step(),
                                     reason="Customer's bank reversed the second payment.")
        return
    target = STEPS.index(reached)
    if target >= 1:
        escalation = services.escalation_triage(escalation=escalation, by=lead, at=step())
    if target >= 2:
        escalation = services.escalation_contain(
            escalation=escalation, by=lead, at=step(),
            note="Called the customer, apologised, credit of £50 applied while we investigate.")
    if reached == "awaiting_customer":
        services.escalation_await_customer(escalation=escalation, by=lead, at=step(),
                                           reason="Waiting for the list of affected invoices.")
        return
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
