"""Who changed what, and why: the audit trail's write side.

Every domain model has ``history = HistoricalRecords()`` (django-simple-history).
Each history row records the actor and a change reason:

* In a web or API request, ``HistoryRequestMiddleware`` supplies ``request.user``.
* A service always states both explicitly with :func:`save_with_audit`, so the
  history is right even when the service runs outside a request (a task, a
  command, a test)::

      save_with_audit(incident, by=user, reason="Contained: carrier rerouted traffic")

* Many-to-many changes are history rows too; wrap them in :func:`audited`::

      with audited(team, by=user, reason="Joined the escalation desk"):
          team.members.add(user)

* A background task acts as the system user, with a reason saying which task::

      save_with_audit(clock, by=system_user(), reason="SLA sweep: breach recorded")

  or, around code that saves several objects, :func:`acting_as`::

      with acting_as(system_user()):
          ...

The system user is a real, inactive account (``switchboard-system``) so history
rows always point at someone an auditor can look up. It holds the System role, whose
permissions ``core.auth_backends.SystemActorBackend`` grants it: background work
passes the same checks as people.
"""

import contextlib

from django.contrib.auth import get_user_model
from simple_history.models import HistoricalRecords

SYSTEM_USERNAME = "switchboard-system"


class History(HistoricalRecords):
    """``HistoricalRecords`` whose change reason is free text like any other: a reason
    quoting a card number is masked (``core.fields``). Every domain model uses it:
    ``history = History()``."""

    def _get_history_change_reason_field(self):
        from .fields import FreeTextField

        return FreeTextField(null=True)


def system_user():
    """The account that background work acts as (created by a data migration)."""
    from django.contrib.auth.models import Group

    from .roles import SYSTEM_ROLE

    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "first_name": "Switchboard", "last_name": "(system)",
                  "password": "!"},  # "!": Django's unusable password
    )
    if created:  # recreated after a flush: give it its role again
        group, _ = Group.objects.get_or_create(name=SYSTEM_ROLE)
        user.groups.add(group)
    return user


@contextlib.contextmanager
def audited(instance, *, by, reason):
    """Attribute every history row written for ``instance`` inside the block.

    Covers saves and many-to-many changes (``team.members.set(...)``), which
    simple-history records as their own rows.
    """
    if not reason:
        raise ValueError("An audited change needs a reason.")
    instance._history_user = by if by is not None else system_user()
    instance._change_reason = reason
    try:
        yield instance
    finally:
        # The attributes are per-change: a later save must state its own reason.
        del instance._history_user
        del instance._change_reason


def save_with_audit(instance, *, by, reason, update_fields=None):
    """Save ``instance`` recording ``by`` as the actor and ``reason`` in its history."""
    with audited(instance, by=by, reason=reason):
        instance.save(update_fields=update_fields)


class _ActorRequest:
    """The smallest stand-in for a request that simple-history reads the user from."""

    def __init__(self, user):
        self.user = user


@contextlib.contextmanager
def acting_as(user):
    """Attribute every history row written inside the block to ``user``.

    Uses the same thread-local slot the request middleware fills, and restores it
    afterwards, so it nests inside a request safely.
    """
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = _ActorRequest(user)
    try:
        yield user
    finally:
        if previous is None:
            with contextlib.suppress(AttributeError):
                del context.request
        else:
            context.request = previous


def history_of(instance):
    """The object's history rows, newest first, with the actor loaded."""
    return instance.history.select_related("history_user").order_by("-history_date", "-pk")

