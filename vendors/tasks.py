"""Vendor background work, run by Celery beat (``config/settings.py``)."""

from celery import shared_task


@shared_task(name="vendors.tasks.sweep_contract_deadlines")
def sweep_contract_deadlines():
    """Notice warnings, missed notice dates, automatic renewals and expiries that are
    due, each exactly once."""
    from .deadlines import contract_deadlines_sweep

    return contract_deadlines_sweep()


@shared_task(name="vendors.tasks.reschedule_contract_deadlines")
def reschedule_contract_deadlines():
    """Re-derive running contracts' deadlines from the current settings (daily)."""
    from .deadlines import reschedule_all

    return {"contracts": reschedule_all()}


@shared_task(name="vendors.tasks.sweep_credit_deadlines")
def sweep_credit_deadlines():
    """Claim-window warnings (50 % / 75 %) and unclaimed credits past their window."""
    from .credit_deadlines import credit_deadlines_sweep

    return credit_deadlines_sweep()


@shared_task(name="vendors.tasks.close_sla_periods")
def close_sla_periods():
    """Compute compliance for ended periods, refresh recent ones, accrue credits."""
    from .sla_services import periods_close

    return periods_close()


@shared_task(name="vendors.tasks.refresh_sla_periods")
def refresh_sla_periods(*, vendor_ids=(), queue_ids=(), start, end=None, metrics=None,
                        by_id=None):
    """Closed SLA periods measured again after the data behind them changed
    (vendors/sla_refresh.py), in the name of whoever changed it."""
    from datetime import datetime

    from django.contrib.auth import get_user_model

    from .sla_refresh import refresh_periods

    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    return refresh_periods(vendor_ids=vendor_ids, queue_ids=queue_ids,
                           start=datetime.fromisoformat(start),
                           end=datetime.fromisoformat(end) if end else None, metrics=metrics,
                           by=by)
