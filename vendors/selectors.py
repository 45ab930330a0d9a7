"""Reads other pages and apps need: lists with their next dates, the contracts that
need someone, the vendors named on an incident, and downtime derived from incidents.

Downtime per vendor (:func:`downtime_by_vendor`): each incident attributed to the
vendor is down from its declared impact start (``declared_at``, which
``incident_correct_timestamp`` corrects) to its containment or its resolution —
whichever the vendor's contract counts (``Contract.downtime_counts_until``) — or
until now while it is still open. An exclusion tagged on the incident cuts its own
window; one tagged on the vendor cuts every window. Windows are then merged, so
overlapping incidents count once, and split into UTC calendar months.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import Case, Count, DateField, F, IntegerField, Q, Value, When
from django.utils import timezone

from . import intervals
from .choices import (
    FALLBACK_CONTACT_ROLES,
    FINISHED_CONTRACT_STATES,
    INCIDENT_CONTACT_ROLES,
    LIVE_CONTRACT_STATES,
    RENEWABLE_STATES,
    ContractState,
    DowntimeEnd,
)
from .deadlines import lead_times
from .models import Contract, DowntimeExclusion, Vendor, VendorAttribution, VendorContact

CANCELLED_INCIDENT = "cancelled"
OPEN_INCIDENT_STATES = ("declared", "triaged", "contained")
OPEN_ESCALATION_STATES = ("new", "triaged", "contained", "awaiting_customer")


# --- What other apps read about a work item ------------------------------------------------


def vendor_keys_for(obj) -> dict:
    """The vendors attributed to an incident or escalation, for matchers such as
    playbook attach rules: ``{"vendor_ids": {…}, "vendor_categories": {…}}``."""
    target = ("incident" if obj._meta.label_lower == "incidents.incident" else "escalation")
    rows = VendorAttribution.objects.filter(**{target: obj}).values_list(
        "vendor_id", "vendor__category")
    return {"vendor_ids": {vendor_id for vendor_id, _ in rows},
            "vendor_categories": {category for _, category in rows}}


def attributions_for(obj) -> list[VendorAttribution]:
    """The vendors named on an incident or escalation, each with the contacts to call
    (NOC and escalation, in escalation order; the support desk if it has neither) on
    ``vendor.call_list``."""
    target = ("incident" if obj._meta.label_lower == "incidents.incident" else "escalation")
    attributions = list(VendorAttribution.objects.filter(**{target: obj})
                        .select_related("vendor", "contract", "added_by")
                        .order_by("vendor__name"))
    contacts, fallback = {}, {}
    for contact in VendorContact.objects.filter(
            vendor_id__in=[a.vendor_id for a in attributions],
            role__in=(*INCIDENT_CONTACT_ROLES, *FALLBACK_CONTACT_ROLES)).order_by(
            "escalation_order", "name", "pk"):
        chosen = contacts if contact.role in INCIDENT_CONTACT_ROLES else fallback
        chosen.setdefault(contact.vendor_id, []).append(contact)
    for attribution in attributions:
        attribution.vendor.call_list = (contacts.get(attribution.vendor_id)
                                        or fallback.get(attribution.vendor_id, []))
    return attributions


# --- Lists --------------------------------------------------------------------------------


def next_date_expression(today: date):
    """The notice date while it is ahead and the contract may still renew; else the
    end date (for a draft too: when it would end)."""
    return Case(When(state__in=RENEWABLE_STATES, notice_date__gte=today, then=F("notice_date")),
                default=F("end_date"), output_field=DateField())


def contracts_for_list(queryset=None, *, today: date | None = None):
    """Contracts with ``next_date`` and ``finished`` annotated, vendor and owner
    joined: running and draft contracts by their next date, then the ended ones."""
    today = today or timezone.localdate()
    queryset = Contract.objects.all() if queryset is None else queryset
    return (queryset.select_related("vendor", "owner")
            .annotate(next_date=next_date_expression(today),
                      finished=Case(When(state__in=FINISHED_CONTRACT_STATES, then=Value(1)),
                                    default=Value(0), output_field=IntegerField())))


def notice_window_filter(window: str, today: date) -> Q:
    """Contracts in a notice window: the notice date within the next N days, entered
    the warning window, or past the notice date with no decision."""
    renewable = Q(state__in=RENEWABLE_STATES)
    if window in ("30", "60", "90"):
        return renewable & Q(notice_date__gte=today,
                             notice_date__lte=today + timedelta(days=int(window)))
    if window == "entered":
        first_warning = max(lead_times(), default=0)
        return renewable & Q(notice_date__gte=today,
                             notice_date__lte=today + timedelta(days=first_warning))
    if window == "overdue":
        return renewable & Q(notice_date__lt=today, decision="")
    return Q()


def vendors_for_list(queryset=None):
    """Vendors with their running contracts and open incidents and escalations counted
    (one query for the page)."""
    queryset = Vendor.objects.all() if queryset is None else queryset
    return queryset.select_related("account_manager").annotate(
        live_contracts=Count("contracts", filter=Q(contracts__state__in=LIVE_CONTRACT_STATES),
                             distinct=True),
        open_incidents=Count("attributions", filter=Q(
            attributions__incident__state__in=OPEN_INCIDENT_STATES), distinct=True),
        open_escalations=Count("attributions", filter=Q(
            attributions__escalation__state__in=OPEN_ESCALATION_STATES), distinct=True),
    )


def next_dates_by_vendor(vendor_ids, today: date) -> dict[int, Contract]:
    """For each vendor, its running contract with the nearest next date (one query)."""
    nearest = {}
    for contract in contracts_for_list(Contract.objects.filter(
            vendor_id__in=vendor_ids, state__in=LIVE_CONTRACT_STATES), today=today
    ).order_by("next_date", "pk"):
        nearest.setdefault(contract.vendor_id, contract)
    return nearest


@dataclass
class Attention:
    overdue: list = field(default_factory=list)  # past the notice date, undecided
    window: list = field(default_factory=list)  # notice date within the first warning
    exit_without_notice: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.overdue or self.window or self.exit_without_notice)


def contracts_needing_attention(today: date | None = None, limit: int = 10) -> Attention:
    """What the dashboard and the contracts page lead with: breaches (no decision by the
    notice date), notice dates coming up, and exits decided but not yet notified."""
    today = today or timezone.localdate()
    base = contracts_for_list(today=today).order_by("notice_date", "pk")
    return Attention(
        overdue=list(base.filter(notice_window_filter("overdue", today))[:limit]),
        window=list(base.filter(notice_window_filter("entered", today))[:limit]),
        exit_without_notice=list(base.filter(state__in=RENEWABLE_STATES, decision="exit",
                                             end_date__gte=today)[:limit]),
    )


# --- Downtime -------------------------------------------------------------------------------


@dataclass
class IncidentDowntime:
    attribution: VendorAttribution
    start: datetime
    end: datetime
    ongoing: bool
    counts_until: str
    seconds: float = 0.0  # within the period, after exclusions (overlaps not merged)

    @property
    def incident(self):
        return self.attribution.incident

    @property
    def minutes(self):
        return round(self.seconds / 60)


@dataclass
class VendorDowntime:
    vendor_id: int
    start: datetime
    end: datetime
    months: dict = field(default_factory=dict)  # month start → seconds
    incidents: list = field(default_factory=list)
    exclusions: list = field(default_factory=list)

    @property
    def seconds(self):
        return sum(self.months.values())

    @property
    def minutes(self):
        return round(self.seconds / 60)

    def month_minutes(self, month: datetime) -> int:
        return round(self.months.get(month, 0.0) / 60)


def _counts_until(attribution, contracts_by_vendor):
    if attribution.contract_id:
        return attribution.contract.downtime_counts_until
    declared = attribution.incident.declared_at.date()
    for contract in contracts_by_vendor.get(attribution.vendor_id, []):
        if contract.start_date <= declared <= contract.end_date:
            return contract.downtime_counts_until
    return DowntimeEnd.RESOLVED


def incident_window(incident, counts_until: str, now: datetime):
    """``(start, end, ongoing)`` of an incident's impact for a vendor."""
    stop = incident.contained_at if counts_until == DowntimeEnd.CONTAINED else None
    stop = stop or incident.resolved_at
    return incident.declared_at, min(stop or now, now), stop is None


def downtime_by_vendor(vendor_ids, *, start: datetime, end: datetime,
                       now: datetime | None = None) -> dict[int, VendorDowntime]:
    """Downtime of each vendor in ``[start, end)``, in three queries whatever the
    number of vendors and incidents."""
    now = now or timezone.now()
    end = min(end, now)
    vendor_ids = list(vendor_ids)
    result = {pk: VendorDowntime(pk, start, end) for pk in vendor_ids}
    if end <= start:
        return result
    attributions = list(
        VendorAttribution.objects.filter(vendor_id__in=vendor_ids, incident__isnull=False,
                                         incident__declared_at__lt=end)
        .exclude(incident__state=CANCELLED_INCIDENT)
        .select_related("incident", "contract").order_by("incident__declared_at", "pk"))
    contracts = {}
    for contract in Contract.objects.filter(vendor_id__in=vendor_ids).exclude(
            state=ContractState.DRAFT).order_by("start_date", "pk"):
        contracts.setdefault(contract.vendor_id, []).append(contract)
    exclusions = list(DowntimeExclusion.objects.filter(
        vendor_id__in=vendor_ids, starts_at__lt=end, ends_at__gt=start)
        .select_related("tagged_by", "incident"))
    vendor_wide, per_incident = {}, {}
    for exclusion in exclusions:
        result[exclusion.vendor_id].exclusions.append(exclusion)
        window = (exclusion.starts_at, exclusion.ends_at)
        if exclusion.incident_id:
            per_incident.setdefault((exclusion.vendor_id, exclusion.incident_id), []).append(
                window)
        else:
            vendor_wide.setdefault(exclusion.vendor_id, []).append(window)

    windows = {}
    for attribution in attributions:
        counts_until = _counts_until(attribution, contracts)
        first, last, ongoing = incident_window(attribution.incident, counts_until, now)
        if last <= start or last <= first:
            continue
        cut = [*per_incident.get((attribution.vendor_id, attribution.incident_id), []),
               *vendor_wide.get(attribution.vendor_id, [])]
        left = intervals.clip(intervals.subtract([(first, last)], cut), start, end)
        row = IncidentDowntime(attribution, first, last, ongoing, counts_until,
                               intervals.seconds(left))
        result[attribution.vendor_id].incidents.append(row)
        windows.setdefault(attribution.vendor_id, []).extend(left)
    for vendor_id, pieces in windows.items():
        result[vendor_id].months = intervals.by_month(pieces)
    return result


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def vendor_downtime_year(vendor, *, year: int | None = None, now: datetime | None = None
                         ) -> VendorDowntime:
    """The vendor's downtime this year (or ``year``), month by month."""
    now = now or timezone.now()
    start, end = year_bounds(year or now.astimezone(UTC).year)
    return downtime_by_vendor([vendor.pk], start=start, end=end, now=now)[vendor.pk]


def vendor_escalation_bursts(*, now: datetime | None = None) -> list[dict]:
    """The escalation burst's vendor dimension: ``ESCALATION_BURST_THRESHOLD`` or more
    escalations naming the same vendor, opened within the last
    ``ESCALATION_BURST_WINDOW_MINUTES`` and not yet linked to an incident (withdrawn
    ones do not count) — the carrier's outage seen from the complaints before anyone
    declares it. Same settings as the category/channel bursts on the dashboard."""
    from django.conf import settings
    from django.db.models import Max, Min

    now = now or timezone.now()
    window = settings.ESCALATION_BURST_WINDOW_MINUTES
    since = now - timedelta(minutes=window)
    groups = (
        VendorAttribution.objects
        .filter(escalation__created_at__gte=since, escalation__created_at__lte=now,
                escalation__incident_links__isnull=True)
        .exclude(escalation__state="withdrawn")
        .values("vendor", "vendor__name")
        .annotate(count=Count("escalation", distinct=True), first=Min("escalation__created_at"),
                  last=Max("escalation__created_at"))
        .filter(count__gte=settings.ESCALATION_BURST_THRESHOLD)
        .order_by("-count", "vendor__name")
    )
    return [{**group, "window_minutes": window} for group in groups]
