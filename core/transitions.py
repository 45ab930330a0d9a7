"""Running a django-fsm-2 transition the one way every service does it.

Models declare transitions once (``@transition(field=state, source=..., target=...,
conditions=[...], permission=...)``). Conditions that check a requirement are
wrapped with :func:`guard` so a refusal can name the missing field instead of
answering a bare "not allowed".

A service then does, inside ``transaction.atomic``::

    incident = lock(Incident, pk)                      # SELECT ... FOR UPDATE
    perform_transition(incident, "contain", by=user,   # permission, source, guards,
                       reason="Contained", summary=s)  # method, audited save
    timeline_add(...)                                  # what people read
    some_task.delay_on_commit(incident.pk)              # side effects after commit

Transition methods change fields only; I/O belongs in the service after the save
(django-fsm's post_transition signal fires before ``save()``).
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django_fsm import ConcurrentTransition, FSMFieldMixin

from .audit import save_with_audit
from .exceptions import ConcurrentChange, RequirementMissing, TransitionNotAllowed
from .predicates import looks_at_object


def guard(field, message):
    """Mark a transition condition with the field it checks and the refusal message.

    ``field`` may be ``None`` for a rule about the whole object. ``message`` may be a
    callable taking the object, for a refusal that names what is missing.
    """

    def decorate(condition):
        condition.guard_field = field or "non_field_errors"
        condition.guard_message = message
        return condition

    return decorate


def state_field(model_or_instance, field_name=None):
    """The FSM field of a model (the only one, or the one named)."""
    fields = [f for f in model_or_instance._meta.fields if isinstance(f, FSMFieldMixin)]
    if field_name:
        fields = [f for f in fields if f.name == field_name]
    if len(fields) != 1:
        raise LookupError(f"{model_or_instance._meta.label} needs exactly one FSM field here.")
    return fields[0]


def transitions_from_state(instance, *, field_name=None):
    """Every transition whose source matches the current state, guards unchecked."""
    field = state_field(instance, field_name)
    current = field.get_state(instance)
    found = []
    # field.transitions maps each model to its transition methods.
    for method in field.transitions[instance.__class__].values():
        meta = method._django_fsm
        if meta.has_transition(current):
            found.append(meta.get_transition(current))
    return found


def allowed_transitions(instance, user=None, *, field_name=None, answers=None):
    """Names of transitions the user may try now (source and permission; not guards).

    Used for the 409 body and for which buttons to show. Guards are left out on
    purpose: a button whose requirement is missing is still shown, and pressing
    it asks for the missing field.

    ``answers`` is a dict a caller keeps across many objects for one user (the rows of
    a list): a permission whose rule never looks at the object (``core.predicates``:
    the role holds a model permission) is then asked once for all of them, not once a
    row — each ``has_perm`` walks every authentication backend, twice for a rule.
    """
    allowed, own = [], {}
    for t in transitions_from_state(instance, field_name=field_name):
        if user is not None:
            # Most transitions share one permission: asked once per object at most.
            store = own if answers is None or looks_at_object(t.permission) else answers
            if t.permission not in store:
                store[t.permission] = t.has_perm(instance, user)
            if not store[t.permission]:
                continue
        allowed.append(t.name)
    return sorted(allowed)


def unmet_requirements(instance, transition):
    """``{field: [message]}`` for every guard of ``transition`` that fails now."""
    errors = {}
    for condition in transition.conditions:
        if condition(instance):
            continue
        field = getattr(condition, "guard_field", "non_field_errors")
        message = getattr(condition, "guard_message", f"Condition '{condition.__name__}' failed.")
        errors.setdefault(field, []).append(message(instance) if callable(message) else message)
    return errors


def perform_transition(instance, name, *, by, reason, field_name=None, save=True, **kwargs):
    """Run transition ``name`` on an already locked ``instance`` and save it, audited.

    With ``save=False`` the caller saves (once) after changing more fields.

    Raises ``TransitionNotAllowed`` (409, lists the allowed ones) when the state has
    no such transition, ``PermissionDenied`` (403) when ``by`` may not run it,
    ``RequirementMissing`` (400, names the fields) when a guard fails, and
    ``ConcurrentChange`` (409) when the row changed under us.
    """
    method = getattr(instance, name, None)
    field = state_field(instance, field_name)
    current = field.get_state(instance)
    meta = getattr(method, "_django_fsm", None)
    if meta is None or not meta.has_transition(current):
        raise TransitionNotAllowed(
            transition=name,
            current_state=current,
            allowed=allowed_transitions(instance, by, field_name=field_name),
        )
    transition = meta.get_transition(current)
    if by is not None and not transition.has_perm(instance, by):
        raise PermissionDenied(f"You may not '{name}' this {instance._meta.verbose_name}.")
    errors = unmet_requirements(instance, transition)
    if errors:
        raise RequirementMissing(
            f"'{name}' needs: {', '.join(sorted(errors))}.",
            errors=errors,
        )
    result = method(**kwargs)
    if not save:
        return result
    try:
        save_with_audit(instance, by=by, reason=reason)
    except ConcurrentTransition as exc:
        raise ConcurrentChange() from exc
    return result


def lock(model: type[models.Model], pk):
    """Re-read a row for update inside the current transaction.

    On PostgreSQL this is ``SELECT ... FOR UPDATE``; SQLite has no row locks, but
    Switchboard opens SQLite transactions as IMMEDIATE (see settings), which
    serialises writers, so the read inside the transaction is current either way.
    """
    return model._default_manager.select_for_update().get(pk=pk)
