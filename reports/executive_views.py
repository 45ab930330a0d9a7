"""The executive page (HTML, PDF, CSV/XLSX) and the post-mortem exports (PDF, Markdown).

Views parse the request, ask ``reports/executive.py`` or ``reports/postmortem_export.py``
for the data and render it; the page and the PDF include the same section template and
draw the same charts (``core.charts.svg``).
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from core.charts import svg
from core.printing import PDF_MEDIA_TYPE, render_pdf
from core.web_forms import page_reader

from . import executive_rules  # noqa: F401 - registers the permissions used below
from .executive import (
    PERIODS,
    executive_report,
    export_csv,
    export_xlsx,
    period_from,
    report_charts,
)


def _context(request):
    period = period_from(request.GET)
    report = executive_report(user=request.user, period=period)
    return {"report": report, "period": period, "periods": PERIODS,
            "charts": {name: svg(spec) for name, spec in report_charts(report).items()}}


def _attachment(content: bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@page_reader("reports.read_executive")
def executive(request):
    """``?period=this_month|last_month|quarter|custom`` (custom: ``start``, ``end``)."""
    return render(request, "reports/executive.html", _context(request))


@page_reader("reports.read_executive")
def executive_pdf(request):
    context = _context(request)
    pdf = render_pdf("reports/executive_print.html", context, request=request)
    first = context["period"].first
    return _attachment(pdf, PDF_MEDIA_TYPE, f"executive-{first:%Y-%m-%d}.pdf")


@page_reader("reports.read_executive")
def executive_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404("CSV or XLSX.")
    period = period_from(request.GET)
    stamp = f"{period.first:%Y-%m-%d}"
    if fmt == "csv":
        content = export_csv(user=request.user, period=period, table=request.GET.get("table"))
        return _attachment(content.encode("utf-8"), "text/csv; charset=utf-8",
                           f"executive-{request.GET.get('table') or 'kpis'}-{stamp}.csv")
    return _attachment(export_xlsx(user=request.user, period=period),
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       f"executive-{stamp}.xlsx")


def _published_postmortem(request, pk):
    from incidents.choices import PostMortemState
    from incidents.models import PostMortem

    postmortem = get_object_or_404(
        PostMortem.objects.select_related("incident__severity", "author", "reviewer"),
        incident_id=pk, state=PostMortemState.PUBLISHED)
    if not request.user.has_perm("reports.export_postmortem", postmortem.incident):
        raise Http404  # pragma: no cover - page_reader already refused the role
    return postmortem


@page_reader("reports.export_postmortem")
def postmortem_pdf(request, pk):
    from .postmortem_export import postmortem_document

    document = postmortem_document(_published_postmortem(request, pk), user=request.user)
    pdf = render_pdf("reports/postmortem_print.html",
                     {"doc": document, "generated_at": timezone.now()}, request=request)
    return _attachment(pdf, PDF_MEDIA_TYPE, f"postmortem-{document.incident.reference}.pdf")


@page_reader("reports.export_postmortem")
def postmortem_markdown(request, pk):
    from .postmortem_export import postmortem_document, postmortem_to_markdown

    document = postmortem_document(_published_postmortem(request, pk), user=request.user)
    return _attachment(postmortem_to_markdown(document).encode("utf-8"),
                       "text/markdown; charset=utf-8",
                       f"postmortem-{document.incident.reference}.md")
