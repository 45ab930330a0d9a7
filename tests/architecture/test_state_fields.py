"""Every workflow state is a ``core.fields.StateField``, so migrations replay it as
the CharField it stores (a plain FSMField makes every fresh migrate — each test
worker's and ``make run``'s — twice as slow; see the field's docstring)."""

from django.apps import apps
from django.db import models
from django_fsm import FSMFieldMixin

from core.fields import StateField


def test_every_fsm_field_is_a_state_field():
    plain = [f"{model._meta.label}.{field.name}"
             for model in apps.get_models() for field in model._meta.get_fields()
             if isinstance(field, FSMFieldMixin) and not isinstance(field, StateField)]
    assert plain == []


def test_migrations_see_a_charfield_with_the_same_column_choices_and_default():
    from incidents.models import Incident

    field = Incident._meta.get_field("state")
    name, path, args, kwargs = field.deconstruct()
    assert (name, path) == ("state", "django.db.models.CharField")
    assert "protected" not in kwargs
    replayed = models.CharField(*args, **kwargs)
    assert (replayed.max_length, replayed.default, replayed.choices) == (
        field.max_length, field.default, field.choices)
    assert field.protected  # the model itself still refuses direct writes
