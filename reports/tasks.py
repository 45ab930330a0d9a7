"""Report background work: building a pack, the sweep that re-queues packs whose
worker died, and the pack schedules (Celery beat, ``config/settings.py``)."""

from celery import shared_task


@shared_task(name="reports.tasks.generate_pack", acks_late=True)
def generate_pack(pack_id: int):
    """Build one queued pack; nothing to do when another worker took it or it is done."""
    from .services import pack_build

    pack = pack_build(pack_id)
    return {"pack": pack_id, "status": pack.status if pack else "not claimed"}


@shared_task(name="reports.tasks.sweep_packs")
def sweep_packs():
    """Packs whose lease passed while queued or running are queued again."""
    from django.utils import timezone

    from core.due_rows import sweep_due

    from .models import ReportPack
    from .services import pack_requeue_stale

    now = timezone.now()
    return dict(sweep_due(ReportPack.objects.all(), due_field="lease_until", now=now,
                          handle=lambda pack: pack_requeue_stale(pack, now),
                          name="Stale report packs"))


@shared_task(name="reports.tasks.sweep_pack_schedules")
def sweep_pack_schedules():
    """Pack schedules that fell due fire once per period."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from core.due_rows import sweep_due

    from .models import PackSchedule
    from .services import schedule_fire, schedule_record_failure

    now = timezone.now()

    def handle(schedule):
        try:
            with transaction.atomic():
                return schedule_fire(schedule, now)
        except IntegrityError:
            raise  # this period's run exists: another sweeper fired it
        except Exception as exc:  # noqa: BLE001
            # The firing rolled back; the error stays visible on the schedule, which
            # stays due: the next sweep retries it.
            schedule_record_failure(schedule, exc)
            return "failed"

    return dict(sweep_due(PackSchedule.objects.all(), due_field="next_run_at", now=now,
                          handle=handle, name="Pack schedules"))
