"""KPI background work: a large interval file's import, and the sweep that queues
again an import whose worker died (Celery beat, ``config/settings.py``)."""

from celery import shared_task


@shared_task(name="kpis.tasks.run_import", acks_late=True)
def run_import(import_id: int):
    """Import one queued file; nothing to do when another worker took it or it is done."""
    from .import_jobs import import_run

    record = import_run(import_id)
    return {"import": import_id, "outcome": record.outcome if record else "not claimed"}


@shared_task(name="kpis.tasks.sweep_imports")
def sweep_imports():
    """Imports whose lease passed while queued, validating or writing are queued again."""
    from django.utils import timezone

    from core.due_rows import sweep_due

    from .import_jobs import import_requeue_stale
    from .models import IntervalImport

    now = timezone.now()
    return dict(sweep_due(IntervalImport.objects.all(), due_field="lease_until", now=now,
                          handle=lambda record: import_requeue_stale(record, now),
                          name="Stale interval imports"))
