"""The vendor events other systems may subscribe to (``core/events.py``)."""

from core.event_payloads import absolute_url, iso
from core.events import register_event_type

CREDIT_ACCRUED = "vendor.credit_accrued"
CONTRACT_ENTERING_NOTICE = "contract.entering_notice"


def _credit_accrued(credit, data):
    return {"credit": {"id": credit.pk, "vendor": credit.vendor.name,
                       "contract": credit.contract.reference, "amount": str(credit.amount),
                       "currency": credit.currency, "period_start": iso(credit.period_start),
                       "period_end": iso(credit.period_end),
                       "claim_deadline": iso(credit.claim_deadline),
                       "url": absolute_url(credit.contract)},
            "summary": f"Service credit accrued: {credit.vendor.name} {credit.amount} "
                       f"{credit.currency} ({credit.period_start:%b %Y})"}


def _entering_notice(contract, data):
    return {"contract": {"id": contract.pk, "reference": contract.reference,
                         "vendor": contract.vendor.name, "title": contract.title,
                         "notice_date": iso(contract.notice_date),
                         "end_date": iso(contract.end_date),
                         "renewal_type": contract.renewal_type,
                         "decision": contract.decision or None,
                         "url": absolute_url(contract)},
            "days_left": data.get("days_left"),
            "summary": f"{contract.reference} {contract.vendor.name}: notice date "
                       f"{contract.notice_date:%d %b %Y}"}


def register():
    register_event_type(CREDIT_ACCRUED, "A vendor missed an SLA objective and a service "
                        "credit accrued.", _credit_accrued)
    register_event_type(CONTRACT_ENTERING_NOTICE, "A contract's notice date is near (each "
                        "warning lead time before it).", _entering_notice)
