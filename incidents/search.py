"""The incidents' part of the global search (core/search.py), and the text search of
the incident list: reference and title, the same fields as the API's ``?search=``."""

from core.registry import Searcher, SearchHit, register_searcher
from core.search import ranked

SEARCH_FIELDS = ("reference", "title")


def search_incidents(user, text, limit):
    from .models import Incident

    rows = ranked(Incident.objects.select_related("severity"), text, SEARCH_FIELDS,
                  exact_field="reference", order=("-declared_at", "-pk"))[:limit]
    return [SearchHit(title=i.title, url=i.get_absolute_url(), reference=i.reference,
                      detail=" · ".join(filter(None, [
                          i.severity.key if i.severity_id else "", i.get_state_display(),
                          f"declared {i.declared_at:%d %b %Y}" if i.declared_at else ""])))
            for i in rows]


def register():
    register_searcher(Searcher("incidents.incident", "Incidents", search_incidents,
                               permission="incidents.view_incident", order=10))
