"""The report events other systems may subscribe to (``core/events.py``)."""

from core.event_payloads import absolute_url, iso
from core.events import register_event_type

PACK_READY = "report.pack_ready"


def _pack_ready(pack, data):
    return {"pack": {"id": pack.pk, "vendor": pack.vendor.name, "period": pack.period,
                     "period_start": iso(pack.period_start),
                     "period_end": iso(pack.period_end), "version": pack.version,
                     "formats": list(pack.formats), "url": absolute_url(pack)},
            "summary": f"Report pack ready: {pack.vendor.name} {pack.period_start:%b %Y} "
                       f"v{pack.version}"}


def register():
    register_event_type(PACK_READY, "A vendor report pack finished building.", _pack_ready)
