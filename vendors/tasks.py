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
