import io

import pytest
from pypdf import PdfReader

from core.printing import RefusedFetch, html_to_pdf, render_pdf, static_file


def test_a_report_template_renders_to_a_pdf_with_page_numbers(tmp_path, settings):
    # Assigned, not mutated in place: only an assignment resets the template engines,
    # which an earlier test may already have built.
    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    (tmp_path / "probe.html").write_text(
        '{% extends "print_base.html" %}{% block cover %}<div class="cover">'
        "<h1>Cover</h1></div>{% endblock %}{% block content %}<h2>Section</h2>"
        "<table><thead><tr><th>n</th></tr></thead><tbody>"
        "{% for n in rows %}<tr><td>row {{ n }}</td></tr>{% endfor %}</tbody></table>"
        "{% endblock %}")
    pdf = render_pdf("probe.html", {"rows": range(120)})
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    assert pages >= 3  # the cover, then the table over at least two pages
    text = [page.extract_text() for page in reader.pages]
    assert "Cover" in text[0] and "row 119" in text[-1]
    assert f"Page {pages} of {pages}" in text[-1]


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/",
                                 "file:///etc/passwd", "https://example.com/static/x.css",
                                 "/static/../../config/settings.py"])
def test_reports_fetch_only_our_static_files(url):
    with pytest.raises(RefusedFetch):
        static_file(url)
    assert static_file("/static/css/print.css")[0].startswith(b"/* Printed")


def test_a_remote_image_in_user_text_is_not_fetched():
    pdf = html_to_pdf('<p>Evidence <img src="http://10.0.0.1/x.png"></p>')
    assert pdf.startswith(b"%PDF")
