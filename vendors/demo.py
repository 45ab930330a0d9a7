"""Demo vendors: the suppliers a real contact center runs on, their contacts and
contracts in every state, and the demo incidents and escalations attributed to them.

Everything goes through the services, with dates relative to today: one contract's
notice date is next week (it is in its notice window, undecided), another enters
its window next week, one missed its notice date without a decision (a breach on
the dashboard), one was renewed automatically, one has notice given, one expired,
one was terminated, one is still a draft. The incidents seeded by the incidents app
are attributed by what they say (the carrier in the summary, the platform in the
affected services), some with scheduled maintenance excluded from the downtime. The
starter carrier-outage playbook gets an attach rule on the vendors named: it attaches
when a telephony carrier is named.

Idempotent: if the first demo vendor exists, nothing is done. Contact numbers are
the UK's reserved drama ranges (020 7946 0xxx) and ``example`` domains.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from core.audit import system_user

from . import services
from .choices import ContactRole as R
from .choices import DowntimeEnd, ExclusionKind, RenewalType
from .choices import VendorCategory as C
from .dates import add_months
from .deadlines import contract_deadlines_sweep, start_of
from .models import Vendor, VendorAttribution

D = timedelta(days=1)


@dataclass
class DemoContract:
    title: str
    months: int  # length of the current term
    ends_in: int  # days from today to the end date (negative: in the past)
    renewal: str = RenewalType.AUTOMATIC
    term: int | None = 12
    notice: tuple = (90, "days")
    value: str | None = None
    period: str = "monthly"
    fees: list = field(default_factory=list)
    services: str = ""
    state: str = "active"  # draft, active, renewed, notice_given, expired, terminated
    decision: tuple | None = None  # (decision, reason)
    counts_until: str = DowntimeEnd.RESOLVED
    maintenance_days: int | None = None
    reference: str = ""


@dataclass
class DemoVendor:
    name: str
    category: str
    status: str
    risk: tuple  # (rating, reason)
    contacts: list  # (name, role, phone, email, hours, order)
    contracts: list
    website: str = ""
    status_page: str = ""
    notes: str = ""
    # What demo incidents say when this vendor was the cause.
    incident_match: Q | None = None
    escalations: tuple = ()


def _phone(n):
    return f"+44 20 7946 0{n:03d}"


VENDORS = [
    DemoVendor(
        "Northwind Telecom", C.CARRIER, "active",
        ("high", "Single carrier for 70% of inbound minutes; two SIP outages this half-year."),
        [("Northwind NOC", R.NOC, _phone(101), "noc@northwind.example", "24×7", 1),
         ("Duty escalation manager", R.ESCALATION, _phone(102), "escalations@northwind.example",
          "24×7", 2),
         ("Priya Shah", R.ACCOUNT_MANAGER, _phone(103), "priya.shah@northwind.example",
          "Mon–Fri 09:00–17:30 UK", 3),
         ("Gareth Moss", R.EXECUTIVE_SPONSOR, "", "g.moss@northwind.example", "", 4)],
        [DemoContract("Inbound SIP trunks and 0800/0345 numbers", 24, 96,
                      value="18400.00", maintenance_days=7,
                      services="SIP trunk group A (600 channels), inbound 0800 and 0345 "
                               "numbers, number porting.",
                      fees=[("SIP channel rental", "subscription", "12600.00"),
                            ("Inbound minutes", "usage", "5800.00")])],
        website="https://www.northwind.example", status_page="https://status.northwind.example",
        incident_match=Q(summary__icontains="Northwind Telecom"),
        escalations=("Executive sponsor cut off mid-call twice during the outage",)),
    DemoVendor(
        "Telvia", C.CARRIER, "active",
        ("medium", "Secondary route, sized for 30% of traffic."),
        [("Telvia network operations", R.NOC, _phone(111), "noc@telvia.example", "24×7", 1),
         ("Telvia service desk", R.SUPPORT_DESK, _phone(112), "support@telvia.example",
          "24×7", 2),
         ("Ravi Chandrasekaran", R.EXECUTIVE_SPONSOR, "", "ravi.c@telvia.example", "", 3)],
        [DemoContract("Secondary SIP route and failover numbers", 12, 187, value="4200.00",
                      maintenance_days=5,
                      fees=[("Failover channel rental", "subscription", "4200.00")])],
        status_page="https://status.telvia.example",
        incident_match=Q(summary__icontains="Telvia")),
    DemoVendor(
        "Nimbus CX", C.CCAAS, "active",
        ("high", "The whole floor logs in through it; SSO outage in the summer."),
        [("Nimbus CX support (P1 line)", R.NOC, _phone(121), "p1@nimbuscx.example", "24×7", 1),
         ("Nimbus escalation manager", R.ESCALATION, _phone(122),
          "escalation@nimbuscx.example", "24×7", 2),
         ("Helen Ward", R.ACCOUNT_MANAGER, _phone(123), "helen.ward@nimbuscx.example",
          "Mon–Fri 08:00–18:00 UK", 3)],
        [DemoContract("CCaaS platform: voice, chat and email routing, 450 AgentSeats", 36, 210,
                      term=36, notice=(6, "months"), value="41850.00",
                      counts_until=DowntimeEnd.CONTAINED, maintenance_days=7, state="renewed",
                      decision=("renegotiate", "Seat price 18% above two competing quotes; "
                                               "ask for a 3-year price lock."),
                      fees=[("AgentSeat subscription", "subscription", "38250.00"),
                            ("Telephony usage", "usage", "3600.00"),
                            ("One-time setup", "one_time", "12000.00")])],
        website="https://nimbuscx.example", status_page="https://status.nimbuscx.example",
        incident_match=Q(affected_services__icontains="Nimbus CX")),
    DemoVendor(
        "Kaapstad Contact Partners", C.BPO, "active",
        ("medium", "Answers a third of the calls; load-shedding at the Cape Town site."),
        [("Kaapstad command centre", R.NOC, "+27 21 555 0100", "command@kaapstad.example",
          "24×7", 1),
         ("Site director, Cape Town", R.ESCALATION, "+27 21 555 0101",
          "capetown.director@kaapstad.example", "Mon–Sat 07:00–21:00 SAST", 2),
         ("Site director, Durban", R.ESCALATION, "+27 31 555 0102",
          "durban.director@kaapstad.example", "Mon–Sat 07:00–21:00 SAST", 3),
         ("Thandi Nkosi", R.ACCOUNT_MANAGER, "+27 21 555 0103", "thandi@kaapstad.example",
          "Mon–Fri 08:00–17:00 SAST", 4)],
        [DemoContract("Outsourced contact center, Cape Town site (120 seats)", 24, 300,
                      renewal=RenewalType.EXPLICIT, term=24, notice=(120, "days"),
                      value="96000.00", counts_until=DowntimeEnd.CONTAINED,
                      fees=[("Productive hours", "usage", "88000.00"),
                            ("Site management fee", "subscription", "8000.00")]),
         DemoContract("Outsourced contact center, Durban site (60 seats)", 12, 40,
                      renewal=RenewalType.EXPLICIT, term=12, notice=(60, "days"),
                      value="47500.00", decision=("renew", "Quality scores above target "
                                                           "for three quarters."),
                      fees=[("Productive hours", "usage", "47500.00")])],
        website="https://kaapstad.example",
        incident_match=Q(title__icontains="Cape Town (BPO)")
        | Q(summary__icontains="Cape Town (BPO)"),
        escalations=("Overflow queue routed to a closed site for two hours",)),
    DemoVendor(
        "Parley AI", C.CHATBOT, "active",
        ("medium", "Hand-over to live chat failed twice; fix on their roadmap."),
        [("Parley support", R.SUPPORT_DESK, "", "support@parley.example", "24×7 (portal)", 1),
         ("Parley on-call engineer", R.ESCALATION, _phone(131), "oncall@parley.example",
          "24×7", 2)],
        [DemoContract("Virtual agent for web chat and messaging", 12, 150, value="6900.00",
                      fees=[("Conversations bundle", "subscription", "5400.00"),
                            ("Overage conversations", "usage", "1500.00")])],
        status_page="https://status.parley.example",
        incident_match=Q(affected_services__icontains="Parley")),
    DemoVendor(
        "SpeakWise", C.CHATBOT, "active", ("low", "Stable since the 2025 model upgrade."),
        [("SpeakWise NOC", R.NOC, _phone(141), "noc@speakwise.example", "24×7", 1)],
        [DemoContract("IVR speech recognition", 12, 250, value="3100.00",
                      fees=[("Recognition minutes", "usage", "3100.00")])],
        incident_match=Q(affected_services__icontains="SpeakWise")),
    DemoVendor(
        "Orbit CRM", C.CRM, "active", ("medium", "Screen-pop latency under investigation."),
        [("Orbit support", R.SUPPORT_DESK, _phone(151), "support@orbitcrm.example",
          "Mon–Fri 07:00–19:00 UK", 1),
         ("Orbit major incidents", R.ESCALATION, _phone(152), "mi@orbitcrm.example", "24×7", 2)],
        [DemoContract("CRM licences and CTI connector", 12, 120, renewal=RenewalType.EXPLICIT,
                      term=12, notice=(60, "days"), value="15200.00",
                      decision=("renew", "No alternative ready before next year."),
                      fees=[("CRM licences (480)", "subscription", "14400.00"),
                            ("CTI connector", "subscription", "800.00")])],
        incident_match=Q(affected_services__icontains="Orbit CRM")),
    DemoVendor(
        "ShiftPlan", C.WFM, "active", ("low", "Batch failures only; agents can still swap."),
        [("ShiftPlan helpdesk", R.SUPPORT_DESK, _phone(161), "help@shiftplan.example",
          "Mon–Fri 08:00–18:00 UK", 1),
         ("ShiftPlan escalations", R.ESCALATION, _phone(162), "escalate@shiftplan.example",
          "Mon–Fri 08:00–20:00 UK", 2)],
        [DemoContract("Workforce management: forecasting and scheduling", 12, 35,
                      notice=(45, "days"), value="5600.00",
                      fees=[("Scheduled agents (500)", "subscription", "5600.00")])],
        incident_match=Q(affected_services__icontains="ShiftPlan")),
    DemoVendor(
        "Relay SMS", C.OTHER, "offboarding", ("high", "Delays of up to two hours, twice."),
        [("Relay operations", R.NOC, _phone(171), "ops@relaysms.example", "24×7", 1)],
        [DemoContract("SMS aggregator: reminders and one-time passcodes", 12, 55,
                      notice=(30, "days"), value="2300.00", state="notice_given",
                      decision=("exit", "Replacing with the CCaaS platform's own SMS."),
                      fees=[("Messages", "usage", "2300.00")])],
        incident_match=Q(affected_services__icontains="Relay SMS"),
        escalations=("Prescription reminder texts stopped arriving",)),
    DemoVendor(
        "SocialHub", C.OTHER, "active", ("unrated", ""),
        [("SocialHub support", R.SUPPORT_DESK, "", "support@socialhub.example",
          "Mon–Fri 09:00–17:00 UK", 1)],
        [DemoContract("Social inbox connector", 12, 200, value="1450.00",
                      fees=[("Connector licence", "subscription", "1450.00")])],
        incident_match=Q(affected_services__icontains="SocialHub")),
    DemoVendor(
        "Evalyze", C.QA, "onboarding", ("unrated", ""),
        [("Mark Evans", R.ACCOUNT_MANAGER, _phone(181), "mark@evalyze.example",
          "Mon–Fri 09:00–17:00 UK", 1)],
        [DemoContract("Speech analytics and automated QA (pilot)", 12, 395, value="7800.00",
                      state="draft", fees=[("Analysed hours", "usage", "7800.00")])]),
    DemoVendor(
        "Lineo Telecom", C.CARRIER, "exited",
        ("low", "No longer a supplier."),
        [("Lineo NOC", R.NOC, _phone(191), "noc@lineo.example", "24×7", 1)],
        [DemoContract("Inbound numbers (before Northwind)", 36, -420, renewal=RenewalType.NONE,
                      term=None, value="9800.00", state="expired"),
         DemoContract("Outbound dialler trunks", 24, -300, value="1200.00",
                      state="terminated")]),
]


def seed_vendors(demo=None, today: date | None = None) -> int:
    """Load the demo vendors; returns how many were added (0 if already there)."""
    if Vendor.objects.filter(name=VENDORS[0].name).exists():
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["vendor", "manager", "responder", "finance"])}
    if "vendor" not in users:
        return 0
    today = today or timezone.localdate()
    victor = users["vendor"]
    for spec in VENDORS:
        vendor = services.vendor_create(
            by=victor, name=spec.name, category=spec.category, website=spec.website,
            status_page_url=spec.status_page, notes=spec.notes,
            account_manager=users["vendor"] if spec.category != C.BPO else users.get("manager"))
        for name, role, phone, email, hours, order in spec.contacts:
            services.contact_save(vendor=vendor, by=victor, name=name, role=role, phone=phone,
                                  email=email, hours=hours, escalation_order=order)
        if spec.risk[1]:
            services.vendor_review_risk(vendor=vendor, by=victor, rating=spec.risk[0],
                                        reason=spec.risk[1],
                                        reviewed_on=today - (40 + len(spec.name)) * D)
        contracts = [_contract(vendor, c, victor, today) for c in spec.contracts]
        _move_vendor(vendor, spec.status, victor)
        if spec.incident_match is not None:
            _attribute(vendor, spec, contracts, victor, users)
    # The sweep catches up with the dates the demo put in the past (the missed notice
    # date, the warnings already due), as a running installation would have.
    contract_deadlines_sweep()
    if "manager" in users:
        seed_playbook_rules(by=users["manager"])
    # SLA objectives, a year of measurements and credits in every state (issue 15).
    from .demo_sla import seed_sla

    seed_sla(users, today)
    return len(VENDORS)


CARRIER_PLAYBOOK = "telephony-carrier-outage"


def seed_playbook_rules(*, by):
    """The starter "Telephony carrier outage" playbook also attaches when a telephony
    carrier is named on an incident (the vendor condition of attach rules,
    vendors/playbook_rules.py). Added after the demo history, as a manager would: a
    rule applies to changes from now on, so the history stays as it happened and the
    next carrier named attaches it. Returns the rule, or None when there is nothing
    to add (no playbooks app, no starter playbook, the rule already there)."""
    if not apps.is_installed("playbooks"):
        return None
    from playbooks import services as playbook_services
    from playbooks.models import Playbook

    playbook = Playbook.objects.filter(slug=CARRIER_PLAYBOOK).first()
    wanted = {"vendor": {"vendor_categories": [C.CARRIER]}}
    if playbook is None or any(rule.extra_conditions == wanted
                               for rule in playbook.rules.all()):
        return None
    return playbook_services.rule_save(playbook=playbook, by=by,
                                       vendor_categories=[C.CARRIER])


def _contract(vendor, spec, by, today):
    end = today + spec.ends_in * D
    start = add_months(end + D, -spec.months)
    # A renewed contract was signed a term earlier and renewed on its end date since.
    first = (add_months(start, -spec.term), start - D) if spec.state == "renewed" \
        else (start, end)
    contract = services.contract_create(
        by=by, vendor=vendor, title=spec.title, start_date=first[0], end_date=first[1],
        services=spec.services, owner=by, renewal_type=spec.renewal,
        renewal_term_months=spec.term, notice_period=spec.notice[0],
        notice_unit=spec.notice[1], value=Decimal(spec.value) if spec.value else None,
        billing_period=spec.period, downtime_counts_until=spec.counts_until,
        maintenance_notice_days=spec.maintenance_days,
        fee_lines=[{"name": n, "kind": k, "amount": Decimal(a)} for n, k, a in spec.fees])
    if spec.state == "draft":
        return contract
    services.contract_activate(contract=contract, by=by)
    if spec.state == "renewed":
        services.contract_renew(contract=contract, by=system_user(), automatic=True,
                                at=start_of(start),
                                note="Automatic renewal on the end date (no notice given).")
    if spec.decision:
        services.contract_decide(contract=contract, by=by, decision=spec.decision[0],
                                 reason=spec.decision[1])
    if spec.state == "notice_given":
        services.contract_give_notice(contract=contract, by=by,
                                      given_on=min(today, contract.notice_date - 3 * D),
                                      note="Letter to their legal team, recorded delivery.")
    elif spec.state == "expired":
        services.contract_expire(contract=contract, by=system_user())
    elif spec.state == "terminated":
        services.contract_terminate(contract=contract, by=by, terminated_on=end - 200 * D,
                                    reason="Dialler replaced by the CCaaS platform's own; "
                                           "ended early by mutual agreement.")
    contract.refresh_from_db()
    return contract


def _move_vendor(vendor, status, by):
    path = {"onboarding": [], "active": ["activate"], "offboarding": ["activate", "offboard"],
            "exited": ["activate", "offboard", "exit"]}[status]
    for name in path:
        services.vendor_transition(vendor=vendor, by=by, name=name)


def _attribute(vendor, spec, contracts, by, users):
    from escalations.models import Escalation
    from incidents.models import Incident

    contract = contracts[0] if len(contracts) > 1 else None
    incidents = list(Incident.objects.filter(spec.incident_match).exclude(state="cancelled")
                     .exclude(vendor_attributions__vendor=vendor).order_by("declared_at"))
    for number, incident in enumerate(incidents):
        # Named minutes after the declaration (never later than now: some are live).
        named = min(incident.declared_at + (5 + number % 20) * timedelta(minutes=1),
                    timezone.now())
        services.attribution_add(vendor=vendor, incident=incident, contract=contract, by=by,
                                 at=named, reason="Named from the demo history")
        _maybe_exclude(vendor, incident, number, by)
    for summary in spec.escalations:
        escalation = Escalation.objects.filter(summary=summary).first()
        if escalation is not None and not VendorAttribution.objects.filter(
                vendor=vendor, escalation=escalation).exists():
            services.attribution_add(vendor=vendor, escalation=escalation, by=by,
                                     reason="Complaint caused by the vendor's outage")


def _maybe_exclude(vendor, incident, number, by):
    """Every third attributed incident of a carrier or the CCaaS platform overlaps a
    scheduled maintenance window announced in time; one BPO incident was ours."""
    start = incident.declared_at
    if vendor.category in (C.CARRIER, C.CCAAS) and number % 3 == 1:
        services.exclusion_add(
            vendor=vendor, by=by, kind=ExclusionKind.MAINTENANCE,
            starts_at=start - timedelta(minutes=10), ends_at=start + timedelta(minutes=40),
            notice_given_at=start - 10 * D,
            reason="Scheduled maintenance announced ten days ahead (change notice on file).")
    elif vendor.category == C.BPO and number == 0:
        services.exclusion_add(
            vendor=vendor, by=by, kind=ExclusionKind.CAUSED_BY_US, incident=incident,
            starts_at=start, ends_at=start + timedelta(minutes=45),
            reason="Our softphone release broke audio for the first 45 minutes.")
