"""HTML to PDF for every printed document (vendor packs, the executive pack,
post-mortems, service-credit claim letters) — in core, so any app can print.

A document is a Django template extending ``print_base.html`` (print CSS: A4,
a cover, page numbers, table headers repeated and rows kept whole across pages)
with its charts inlined as SVG by ``core.charts.svg`` — the page and the PDF show the
same picture. WeasyPrint renders it without a browser.

WeasyPrint would fetch every URL the HTML names; here it may read only our own static
files (found through the staticfiles finders, as in development): no network, no
local paths — a report built from user text can make the server fetch nothing.
"""

import mimetypes
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

PDF_MEDIA_TYPE = "application/pdf"


class RefusedFetch(ValueError):
    pass


def static_file(url: str) -> tuple[bytes, str | None]:
    """The content and media type of the static file ``url`` names (``/static/…``, or a
    ``file:`` URL of the same path); ``RefusedFetch`` for anything else."""
    parsed = urlparse(url)
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if parsed.scheme in ("", "file") and parsed.path.startswith(prefix):
        relative = parsed.path[len(prefix):]
        found = finders.find(relative) if ".." not in relative.split("/") else None
        if found:
            with open(found, "rb") as handle:
                return handle.read(), mimetypes.guess_type(found)[0]
    raise RefusedFetch(f"Reports may only use Switchboard's static files, not {url!r}.")


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """WeasyPrint's fetcher, narrowed to our static files: a refused URL is a
        warning and a missing picture, never a request."""

        def fetch(self, url, headers=None):
            body, media_type = static_file(url)
            return URLFetcherResponse(url, body,
                                      {"Content-Type": media_type or "application/octet-stream"})

    return StaticOnlyFetcher()


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: the web pages do not need it loaded

    return HTML(string=html, base_url="file:///", url_fetcher=_fetcher()).write_pdf()


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """The template rendered with ``context`` (and ``for_print`` set) as a PDF."""
    html = render_to_string(template_name, {**context, "for_print": True}, request=request)
    return html_to_pdf(html)
