"""The report events other systems may subscribe to (``core/events.py``)."""

from core.event_payloads import absolute_url, iso
from core.events import register_event_type

PACK_READY = "report.pack_ready"


def _pack_ready(pack, data):
    # A vendor's review pack names its vendor; the executive pack has none.
    about = pack.vendor.name if pack.vendor_id else "Executive"
    return {"pack": {"id": pack.pk, "kind": pack.kind,
                     "vendor": pack.vendor.name if pack.vendor_id else None,
                     "period": pack.period, "period_start": iso(pack.period_start),
                     "period_end": iso(pack.period_end), "version": pack.version,
                     "formats": list(pack.formats), "url": absolute_url(pack)},
            "summary": f"Report pack ready: {about} {pack.period_start:%b %Y} "
                       f"v{pack.version}"}


def register():
    register_event_type(PACK_READY, "A report pack (a vendor's or the executive one) "
                                    "finished building.", _pack_ready)
