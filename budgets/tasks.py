"""Budget background work, run by Celery beat (``config/settings.py``)."""

from celery import shared_task


@shared_task(name="budgets.tasks.sweep_initiative_reviews")
def sweep_initiative_reviews():
    """Benefits reviews that fell due: each initiative's owner is told once."""
    from django.utils import timezone

    from core.due_rows import sweep_due

    from .initiatives import review_due
    from .models import Initiative

    now = timezone.now()
    done = sweep_due(Initiative.objects.all(), due_field="review_notify_at", now=now,
                     handle=lambda initiative: review_due(initiative, now),
                     name="Initiative benefits reviews")
    return dict(done)


@shared_task(name="budgets.tasks.offset_received_credits")
def offset_received_credits():
    """Received service credits not yet booked against spend (their year had no budget
    when they arrived) are booked once a budget can take them."""
    from .services import offset_received_credits as book

    return {"booked": book()}
