"""The global search page, its htmx results, and the search-as-you-type picker that
fills a reference field (linking an incident to an escalation, naming a duplicate)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import registry
from .search import MAX_LENGTH, clean_query, global_search

PICK_LIMIT = 10


@login_required
def search(request):
    """``?q=``: everything the user may open that matches, grouped by kind; ``kind``
    narrows to one kind. An htmx request gets only the results."""
    text = (request.GET.get("q") or "")[:MAX_LENGTH]
    kind = request.GET.get("kind") or ""
    kinds = {s.key: s.label for s in registry.searchers(request.user)}
    groups = global_search(request.user, text, kinds=[kind] if kind in kinds else None)
    context = {"q": text, "cleaned": clean_query(text), "groups": groups, "kind": kind,
               "kinds": kinds}
    template = "core/_search_results.html" if request.htmx else "core/search.html"
    return render(request, template, context)


@login_required
def pick(request):
    """The options of a reference field's picker (a ``<datalist>``): ``kind`` is a
    searcher key, ``field`` the input's name (htmx sends the input's value under it),
    ``list`` the datalist's id."""
    kind = request.GET.get("kind", "")
    field = request.GET.get("field", "q")
    allowed = {s.key for s in registry.searchers(request.user)}
    groups = global_search(request.user, request.GET.get(field) or request.GET.get("q"),
                           kinds=[kind], limit=PICK_LIMIT) if kind in allowed else []
    hits = groups[0].hits if groups else []
    return render(request, "core/_pick_options.html",
                  {"hits": hits, "list_id": request.GET.get("list", "pick-options")[:60]})
