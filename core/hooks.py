"""How the domain apps tell each other about changes without importing each other.

* ``object_changed`` — a service sends it after it created or changed an incident or
  an escalation in a way other apps may care about (severity, channels, category…).
  Playbooks listen, to attach the playbooks whose rules now match. It is sent
  explicitly by services, inside their transaction — never from ``save()`` — so a
  receiver's work commits or rolls back with the change, and nothing fires for the
  bookkeeping saves (clocks, history) that are not changes a person made.
* ``close_blockers(obj)`` — what still stands between an object and its closing
  transition. Apps register a check (``register_close_check``); the incident and
  escalation models use it as a guard that names every blocker.
"""

from django.dispatch import Signal

# sender: the model class; kwargs: instance, by (the user or the system), created, at
# (when the change happened; None: now).
object_changed = Signal()

_CLOSE_CHECKS = []


def register_close_check(check):
    """``check(obj) -> list[str]``: the things blocking ``obj``'s close (empty: none)."""
    if check not in _CLOSE_CHECKS:
        _CLOSE_CHECKS.append(check)
    return check


def close_blockers(obj) -> list[str]:
    return [blocker for check in _CLOSE_CHECKS for blocker in check(obj)]


def announce_change(instance, *, by, created=False, at=None):
    object_changed.send(sender=type(instance), instance=instance, by=by, created=created,
                        at=at)
