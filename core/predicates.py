"""Building blocks for object permissions declared once with ``rules``.

Each app declares "may this user do X to this object?" in its ``<app>/rules.py``
(found by ``rules.apps.AutodiscoverRulesConfig``) as a named permission::

    rules.add_perm("incidents.work_incident", has_model_perm("incidents.change_incident"))

and everything asks the same question the same way: services
(``by.has_perm("incidents.work_incident", incident)``), DRF permissions, templates
(``{% has_perm "incidents.work_incident" user incident as can_work %}``), the admin
and FSM transitions (``permission=perm_checker("incidents.work_incident")``).
Predicates get ``obj=None`` when asked without an object ("does this role work
incidents at all?"); they answer for the role then.
"""

import rules


def has_model_perm(perm: str):
    """The user's role holds the model permission ``perm`` (object-independent)."""

    @rules.predicate(name=f"has_model_perm:{perm}")
    def check(user):
        return bool(user) and user.has_perm(perm)

    return check


def perm_checker(perm: str):
    """A django-fsm ``permission=`` callable ``(instance, user)`` asking ``perm``."""

    def check(instance, user):
        return user.has_perm(perm, instance)

    check.__name__ = f"has_perm:{perm}"
    check.perm = perm
    return check


def looks_at_object(permission) -> bool:
    """Whether a transition's ``permission=`` may answer differently for two objects.

    ``False`` only for a ``perm_checker`` whose rule is a predicate of the user alone
    (``has_model_perm``: one argument, not a combination, which ``rules`` builds with
    ``*args``) — or for no permission at all. Anything else is asked per object."""
    if permission is None:
        return False
    perm = getattr(permission, "perm", None)
    predicate = rules.permissions.permissions.get(perm) if perm else None
    return predicate is None or predicate.var_args or predicate.num_args > 1
