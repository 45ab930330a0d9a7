"""Downtime exclusions: windows that do not count against a vendor (scheduled maintenance
announced in time, force majeure, caused by us, a third party), and measuring again the
SLA periods a downtime change touches. Re-exported by ``vendors/services.py``.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import audited, save_with_audit
from core.why_not import require_perm

from .choices import LIVE_CONTRACT_STATES, ExclusionKind
from .models import DowntimeExclusion, Vendor, VendorAttribution


@transaction.atomic
def exclusion_add(*, vendor: Vendor, by, kind: str, starts_at: datetime, ends_at: datetime,
                  reason: str, incident=None, notice_given_at: datetime | None = None,
                  at=None) -> DowntimeExclusion:
    """Tag a window that does not count against the vendor, with why. Scheduled
    maintenance counts as excluded only when it was announced, and in time where the
    vendor's contract says how early."""
    require_perm(by, "vendors.tag_exclusion", message="Your role cannot tag downtime exclusions.")
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = "Say why this window does not count."
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = "The window must end after it starts."
    if incident is not None and not VendorAttribution.objects.filter(
            vendor=vendor, incident=incident).exists():
        errors["incident"] = f"{incident.reference} is not attributed to {vendor.name}."
    if kind == ExclusionKind.MAINTENANCE and not errors:
        errors.update(_maintenance_notice_errors(vendor, starts_at, notice_given_at))
    if errors:
        raise ValidationError(errors)
    exclusion = DowntimeExclusion(vendor=vendor, incident=incident, kind=kind,
                                  starts_at=starts_at, ends_at=ends_at, reason=reason.strip(),
                                  notice_given_at=notice_given_at, tagged_by=by,
                                  tagged_at=at or timezone.now())
    exclusion.full_clean()
    save_with_audit(exclusion, by=by, reason=f"Downtime excluded: {exclusion.get_kind_display()}")
    _refresh_sla(vendor.pk, starts_at, by, ends_at)
    return exclusion


def _maintenance_notice_errors(vendor, starts_at, notice_given_at):
    if notice_given_at is None:
        return {"notice_given_at": "Maintenance is excluded only when the vendor announced "
                                   "it: say when."}
    if notice_given_at > starts_at:
        return {"notice_given_at": "The announcement came after the maintenance started."}
    required = (vendor.contracts.filter(state__in=LIVE_CONTRACT_STATES,
                                        maintenance_notice_days__isnull=False,
                                        start_date__lte=starts_at.date())
                .order_by("-maintenance_notice_days")
                .values_list("maintenance_notice_days", flat=True).first())
    if required and starts_at - notice_given_at < timedelta(days=required):
        given = (starts_at - notice_given_at).days
        return {"notice_given_at": f"Announced {given} day{'s' if given != 1 else ''} ahead; "
                                   f"the contract asks for {required}."}
    return {}


@transaction.atomic
def exclusion_remove(*, exclusion: DowntimeExclusion, by) -> None:
    require_perm(by, "vendors.delete_downtimeexclusion",
             message="Your role cannot remove downtime exclusions.")
    with audited(exclusion, by=by, reason="Downtime exclusion removed"):
        exclusion.delete()
    _refresh_sla(exclusion.vendor_id, exclusion.starts_at, by, exclusion.ends_at)


def _refresh_sla(vendor_id, start, by, end=None):
    """Downtime changed: the vendor's closed SLA periods it touches are measured again
    (compliance and any credit still accrued), as the user who changed it."""
    from .sla_services import refresh_vendor_periods

    refresh_vendor_periods(vendor_id, start, end or timezone.now(), by=by)
