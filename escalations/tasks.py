"""Escalation background work, run by Celery beat (``config/settings.py``)."""

from celery import shared_task


@shared_task(name="escalations.tasks.renotify_tier_changes")
def renotify_tier_changes():
    """Remind the leads of unacknowledged tier changes; then tell the tier above."""
    from .services import tier_changes_renotify

    return tier_changes_renotify()
