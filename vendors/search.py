"""The vendors' part of the global search (core/search.py): vendors by name,
contracts by reference, title or vendor name."""

from core.registry import Searcher, SearchHit, register_searcher
from core.search import ranked


def search_vendors(user, text, limit):
    from .models import Vendor

    rows = ranked(Vendor.objects.all(), text, ["name"], exact_field="name",
                  order=("name", "pk"))[:limit]
    return [SearchHit(title=v.name, url=v.get_absolute_url(),
                      detail=f"{v.get_category_display()} · {v.get_status_display()}")
            for v in rows]


def search_contracts(user, text, limit):
    from .models import Contract

    rows = ranked(Contract.objects.select_related("vendor"), text,
                  ["reference", "title", "vendor__name"], exact_field="reference",
                  order=("-pk",))[:limit]
    return [SearchHit(title=c.title, url=c.get_absolute_url(), reference=c.reference,
                      detail=c.vendor.name) for c in rows]


def register():
    register_searcher(Searcher("vendors.vendor", "Vendors", search_vendors,
                               permission="vendors.view_vendor", order=40))
    register_searcher(Searcher("vendors.contract", "Contracts", search_contracts,
                               permission="vendors.view_contract", order=50))
