"""A faster ``to_representation`` for the serializers of large lists, same output.

DRF renders each field of each row through the same generic steps: resolve the
source (checking whether the value is callable, with ``inspect.signature``), check
for ``None``, then the field's ``to_representation`` — which for a date-time asks
for the current time zone again, through a thread-local, every time. At 200
escalations a page that was ~1 ms of Python a row (bench/bench_lists.py, issue 20),
several times the SQL.

``FastReadMixin`` keeps DRF's rendering for every field but the plain ones it can do
the same way with less: a model column read by its own name (no dotted source, no
method) into an exact ``CharField``, ``IntegerField``, ``BooleanField``,
``ChoiceField`` or ISO 8601 ``DateTimeField`` — no subclass, whose behaviour may
differ. Those are read straight off the instance and converted as DRF would; the time
zone is read once per row. Every other field (nested serializers, method fields,
relations, subclasses) goes through DRF untouched. ``tests/core/test_fast_read.py``
renders the same rows both ways and compares.
"""

import functools
import inspect

from django.conf import settings
from django.utils import timezone
from rest_framework import fields as drf
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.serializers import ListSerializer
from rest_framework.settings import api_settings


def _datetime_renderer(field):
    """A date-time column as DRF's ``DateTimeField`` renders it in ISO 8601, or
    ``None`` when the field is set up otherwise (then DRF renders it)."""
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if (output_format is None or output_format.lower() != drf.ISO_8601
            or hasattr(field, "timezone") or not settings.USE_TZ):
        return None

    def render(value, zone):
        if isinstance(value, str):
            return value
        if timezone.is_naive(value):
            return field.to_representation(value)  # DRF's make_aware checks
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return field.to_representation(value)  # DRF's error
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return render


def _plain_renderer(field):
    kind = type(field)
    if kind is drf.CharField:
        return lambda value, zone: str(value)
    if kind is drf.IntegerField:
        return lambda value, zone: int(value)
    if kind is drf.ChoiceField:
        choices = field.choice_strings_to_values

        def render(value, zone):
            if value == "":
                return value
            return choices.get(str(value), value)
        return render
    if kind is drf.BooleanField:
        return lambda value, zone: field.to_representation(value)
    if kind is drf.DateTimeField:
        return _datetime_renderer(field)
    return None


def _method_renderer(field, instance, name):
    """A field whose source is a method of the model taking no argument (Django's
    ``get_tier_display``): DRF asks ``inspect.signature`` whether it may call it, for
    every row. Asked once here, on the class's own attribute (a plain function or
    Django's partialmethod, never a property or a descriptor); the result is then
    rendered by the field itself, ``None`` as DRF renders it."""
    if not isinstance(inspect.getattr_static(type(instance), name, None),
                      (type(_method_renderer), functools.partialmethod)):
        return None
    if not drf.is_simple_callable(getattr(instance, name)):
        return None

    def render(method, zone):
        value = method()
        return None if value is None else field.to_representation(value)

    return render


class FastReadMixin:
    """Put before ``serializers.ModelSerializer`` (or ``Serializer``) in the bases of
    a read serializer used for many rows. The output is DRF's, field for field."""

    def _read_plan(self, instance):
        """``[(name, attname or None, renderer or field)]`` for this serializer's
        readable fields and ``instance``'s model, worked out once per serializer."""
        model = type(instance)
        plans = self.__dict__.setdefault("_fast_read_plans", {})
        plan = plans.get(model)
        if plan is None:
            meta = getattr(model, "_meta", None)
            columns = {f.attname for f in meta.concrete_fields} if meta else set()
            plan = []
            for field in self._readable_fields:
                attrs = field.source_attrs
                renderer = (_plain_renderer(field)
                            if len(attrs) == 1 and attrs[0] in columns else None)
                if renderer is None and len(attrs) == 1:
                    renderer = _method_renderer(field, instance, attrs[0])
                plan.append((field.field_name, attrs[0] if renderer else None,
                             renderer or field))
            plans[model] = plan
        return plan

    def to_representation(self, instance):
        zone = timezone.get_current_timezone()  # once a row, not once a date-time
        ret = {}
        for name, attname, render in self._read_plan(instance):
            if attname is not None:
                value = getattr(instance, attname)
                ret[name] = None if value is None else render(value, zone)
                continue
            # DRF's own loop (Serializer.to_representation) for every other field.
            try:
                attribute = render.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) \
                else attribute
            ret[name] = None if check_for_none is None else render.to_representation(
                attribute)
        return ret


class PrefetchedListSerializer(ListSerializer):
    """``many=True`` over a prefetched relation, read from the prefetch cache.

    DRF reaches a to-many relation through its manager: one manager object built per
    row, then ``inspect.signature`` on it to see whether it is a plain callable —
    1.2 ms of Python per 200-row page for ``incidents`` alone. Where the view
    prefetched the relation, the rows are taken from Django's prefetch cache, the same
    rows in the same order; otherwise DRF's way."""

    def get_attribute(self, instance):
        cache = getattr(instance, "_prefetched_objects_cache", None)
        if cache is not None and len(self.source_attrs) == 1 and self.source in cache:
            return list(cache[self.source])
        return super().get_attribute(instance)
