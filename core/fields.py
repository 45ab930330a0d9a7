"""Model fields: free text whose card numbers are masked whatever path writes them,
and the state field every workflow model uses.

Every free-text field of every model is a :class:`FreeCharField` or
:class:`FreeTextField` (``tests/architecture/test_free_text.py`` fails for one that is not,
unless it is listed there as a structured value with the reason). Masking happens
in the field itself, so no service, form, serializer, admin, import or task can
forget it:

* ``pre_save`` masks the value on the instance before ``save()`` and
  ``bulk_create()`` write it — the object in memory (and the API response built
  from it, and the history row copied from it) never holds the number — and notes
  what it masked on the instance for the masking log (``core.signals``);
* ``get_prep_value`` masks values that reach the database without an instance:
  ``QuerySet.update()`` and lookups.
"""

from django.db import models
from django_fsm import FSMField

from .pci import redact_card_numbers


class _MasksCardNumbers:
    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        masked, count = redact_card_numbers(value)
        if count:
            setattr(model_instance, self.attname, masked)
            found = getattr(model_instance, "_card_numbers_masked", None) or {}
            found[self.name] = found.get(self.name, 0) + count
            model_instance._card_numbers_masked = found
        return masked

    def get_prep_value(self, value):
        return redact_card_numbers(super().get_prep_value(value))[0]


class FreeCharField(_MasksCardNumbers, models.CharField):
    """A short text people type (a title, a reason): card numbers masked on the way in."""


class FreeTextField(_MasksCardNumbers, models.TextField):
    """A long text people type (a description, a note): card numbers masked on the way in."""


class StateField(FSMField):
    """django-fsm's state field, described to migrations as the CharField it stores.

    Every FSMField instance connects a ``class_prepared`` receiver, and the migration
    framework builds tens of thousands of model classes while it replays a fresh
    migrate, each cloning its fields: described as FSMFields, the replayed states
    accumulated hundreds of live receivers, and every class they built called them
    all (half of a fresh migrate's time, which every test worker and ``make run``
    pays). The column, its choices and default are the same either way; migrations
    never run transitions, so they need no FSM.
    """

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("protected", None)
        return name, "django.db.models.CharField", args, kwargs
