"""What the vendor pages share: the page size, the readers that gate each page family,
and the sortable list columns.
"""

from core import web_forms

PAGE_SIZE = 50


vendor_reader = web_forms.page_reader("vendors.view_vendor")
contract_reader = web_forms.page_reader("vendors.view_contract")


def _sort_columns(columns, sort, default):
    """Header links for sortable columns: ``{key: {label, current, aria_sort, next}}``."""
    result = {}
    for key, label in columns:
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        result[key] = {"label": label, "current": current,
                       "aria_sort": ("descending" if descending else "ascending") if current
                       else "", "next": (key if descending else f"-{key}") if current else key}
    return result


def _ordering(sort, sorts, default):
    if sort.lstrip("-") not in sorts:
        sort = default
    key, descending = sort.lstrip("-"), sort.startswith("-")
    return sort, [e.desc(nulls_last=True) if descending else e.asc(nulls_last=True)
                  for e in sorts[key]]
