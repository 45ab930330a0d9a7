"""How the domain apps tell each other about changes without importing each other.

* ``object_changed`` — a service sends it after it created or changed an incident or
  an escalation in a way other apps may care about (severity, channels, category…).
  Playbooks listen, to attach the playbooks whose rules now match. It is sent
  explicitly by services, inside their transaction — never from ``save()`` — so a
  receiver's work commits or rolls back with the change, and nothing fires for the
  bookkeeping saves (clocks, history) that are not changes a person made.
* ``interval_data_changed`` — contact-center interval figures of some queues were
  written for a span of time (an import, a push). Apps that measure from them (vendor
  SLAs) refresh what they derived, so a late file corrects a closed month at once.
* ``objects_merged`` — a duplicate (an incident cancelled as a duplicate of another) was
  merged into the surviving object. Apps that hang things on the duplicate (linked
  escalations, alert groups) move them to the survivor, inside the same transaction.
* ``close_blockers(obj)`` — what still stands between an object and its closing
  transition. Apps register a check (``register_close_check``); the incident and
  escalation models use it as a guard that names every blocker.
"""

from django.dispatch import Signal

# sender: the model class; kwargs: instance, by (the user or the system), created, at
# (when the change happened; None: now).
object_changed = Signal()

# sender: the model class of the rows written; kwargs: queue_ids (set of ints), start,
# end (aware datetimes, the span the written intervals cover), by.
interval_data_changed = Signal()

# sender: the model class; kwargs: duplicate, survivor (instances), by, at.
objects_merged = Signal()

_CLOSE_CHECKS = []


def register_close_check(check):
    """``check(obj) -> list[str]``: the things blocking ``obj``'s close (empty: none)."""
    if check not in _CLOSE_CHECKS:
        _CLOSE_CHECKS.append(check)
    return check


def close_blockers(obj) -> list[str]:
    return [blocker for check in _CLOSE_CHECKS for blocker in check(obj)]


def announce_change(instance, *, by, created=False, at=None, previous=None):
    """``previous``: ``{field: old value}`` where a correction moved something receivers
    key on (a stage time), so they can reach what the old value touched too."""
    object_changed.send(sender=type(instance), instance=instance, by=by, created=created,
                        at=at, previous=previous or {})


def announce_interval_data(model, *, queue_ids, start, end, by):
    interval_data_changed.send(sender=model, queue_ids=set(queue_ids), start=start, end=end,
                               by=by)


def announce_merge(duplicate, *, into, by, at=None):
    """``duplicate`` was merged into ``into``: receivers move what they link to it."""
    objects_merged.send(sender=type(duplicate), duplicate=duplicate, survivor=into, by=by,
                        at=at)
