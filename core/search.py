"""The global search: every app's searchers (``core.registry.register_searcher``),
asked in turn, their results grouped by kind.

Matching is a case-insensitive substring (``icontains``) on a few short columns per
kind — references, titles, names —, so a reference typed in part ("104200", "inc-12")
finds the row. On PostgreSQL those columns carry trigram GIN indexes on
``UPPER(column::text)`` (the expression Django's ``icontains`` compares), so a search
is an index scan, not a table scan; SQLite scans, which is fine at its sizes.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_
from urllib.parse import urlencode

from django import forms
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils.html import format_html

from . import registry

MIN_LENGTH = 2
MAX_LENGTH = 100
PER_KIND = 8


def clean_query(text) -> str:
    """The text searched for: trimmed, at most ``MAX_LENGTH`` characters, and empty
    when shorter than ``MIN_LENGTH`` (one letter would match everything)."""
    text = " ".join(str(text or "").split())[:MAX_LENGTH]
    return text if len(text) >= MIN_LENGTH else ""


# Related rows matched first, at most this many (else the match stays a subquery).
RELATED_IDS_LIMIT = 2000


def match_condition(model, fields, text: str) -> Q:
    """``Q`` for rows of ``model`` where any of ``fields`` contains ``text`` (any case).

    A field across a foreign key (``customer__account_reference``) is matched first on
    the related table, through that table's own trigram index, and becomes
    ``customer_id IN (ids)``: an OR across a join can use neither table's index, and
    PostgreSQL scanned and joined every row (0.4 s at 500,000 escalations,
    bench/bench_lists.py). Same rows either way; past ``RELATED_IDS_LIMIT`` related
    matches it stays a subquery."""
    conditions, related = [], {}
    for name in fields:
        relation, _, rest = name.partition("__")
        field = model._meta.get_field(relation) if rest else None
        if field is not None and field.many_to_one and field.concrete:
            related.setdefault(field, []).append(rest)
        else:
            conditions.append(Q(**{f"{name}__icontains": text}))
    for field, names in related.items():
        matches = field.related_model._default_manager.filter(
            reduce(or_, [Q(**{f"{name}__icontains": text}) for name in names]))
        ids = list(matches.values_list("pk", flat=True)[:RELATED_IDS_LIMIT + 1])
        conditions.append(Q(**{f"{field.name}__in": matches.values("pk")
                               if len(ids) > RELATED_IDS_LIMIT else ids}))
    return reduce(or_, conditions) if conditions else Q(pk__in=[])


def text_filter(queryset, text: str, fields):
    """Rows of ``queryset`` where any of ``fields`` contains ``text`` (any case); the
    list pages and the API's ``?search=`` use the same fields."""
    text = clean_query(text)
    if not text or not fields:
        return queryset
    return queryset.filter(match_condition(queryset.model, fields, text))


def ranked(queryset, text: str, fields, *, exact_field: str, order=("-pk",)):
    """``text_filter`` with an exact match of ``exact_field`` (a reference) first,
    then ``order``."""
    text = clean_query(text)
    return text_filter(queryset, text, fields).annotate(_search_rank=Case(
        When(**{f"{exact_field}__iexact": text}, then=Value(0)),
        default=Value(1), output_field=IntegerField())).order_by("_search_rank", *order)


@dataclass(frozen=True)
class SearchGroup:
    key: str
    label: str
    hits: list


def global_search(user, text, *, kinds=None, limit=PER_KIND) -> list[SearchGroup]:
    """What ``user`` may open that matches ``text``, grouped by kind (kinds with no
    hit left out); ``kinds`` limits the search to those searcher keys."""
    text = clean_query(text)
    if not text or not user.is_authenticated:
        return []
    groups = []
    for searcher in registry.searchers(user):
        if kinds and searcher.key not in kinds:
            continue
        hits = searcher.search(user, text, limit)
        if hits:
            groups.append(SearchGroup(searcher.key, searcher.label, list(hits)[:limit]))
    return groups


class PickerInput(forms.TextInput):
    """A reference field that proposes matches as you type (htmx fills a
    ``<datalist>`` from ``/search/pick/``); without JavaScript it is a plain text box
    for the reference. ``kind`` is a searcher key (``incidents.incident``)."""

    def __init__(self, kind: str, *, placeholder: str = "", attrs=None):
        super().__init__(attrs={"placeholder": placeholder or "Type a reference or title",
                                **(attrs or {})})
        self.kind = kind

    def render(self, name, value, attrs=None, renderer=None):
        options = f"pick-{name}"
        url = reverse("search-pick") + "?" + urlencode(
            {"kind": self.kind, "field": name, "list": options})
        attrs = {**(attrs or {}), "list": options, "autocomplete": "off", "hx-get": url,
                 "hx-trigger": "input changed delay:250ms", "hx-target": f"#{options}",
                 "hx-swap": "outerHTML", "hx-sync": "this:replace"}
        return format_html('{}<datalist id="{}" data-testid="pick-options"></datalist>',
                           super().render(name, value, attrs, renderer), options)
