from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "Contact-center KPIs"

    def ready(self):
        from . import contributions

        contributions.register()
        _keep_the_rollup()


def _keep_the_rollup():
    """A single interval saved (tests, a shell) rebuilds its day in the daily rollup;
    bulk writes call kpis.rollup.refresh themselves. Intervals are only deleted with
    their queue, whose days go with it (no delete signal: it would make deleting a
    queue refresh once per interval)."""
    from django.db.models.signals import post_save

    from .models import IntervalStat

    def changed(sender, instance, **kwargs):
        from . import rollup

        rollup.refresh([instance.queue_id], instance.start, instance.start)

    post_save.connect(changed, sender=IntervalStat, weak=False,
                      dispatch_uid="kpis.rollup.save")
