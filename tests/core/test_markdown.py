"""The ``markdown`` template filter: Markdown in, sanitised HTML out."""

import pytest
from django.template import Context, Template

from core.templatetags.markdown import render_markdown


def render(text):
    return Template("{% load markdown %}{{ text|markdown }}").render(Context({"text": text}))


def test_renders_emphasis_lists_and_code():
    html = render("**Chat is down** for *EU* customers:\n\n- web widget\n- app\n\n`ERR_503`")
    assert "<strong>Chat is down</strong>" in html
    assert "<em>EU</em>" in html
    assert "<ul>\n<li>web widget</li>" in html
    assert "<code>ERR_503</code>" in html


def test_links_keep_their_target_and_get_a_safe_rel():
    html = render("See [the status page](https://status.example.com).")
    assert 'href="https://status.example.com"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


@pytest.mark.parametrize(("hostile", "forbidden"), [
    ("<script>alert('x')</script>Hello", "alert"),
    ('<img src="x" onerror="alert(1)">', "onerror"),
    ("[click](javascript:alert(1))", "javascript:"),
    ('<a href="https://ok.example" onclick="steal()">ok</a>', "onclick"),
    ("<iframe src='https://evil.example'></iframe>", "iframe"),
    ("<style>body{display:none}</style>", "display:none"),
])
def test_hostile_html_is_removed(hostile, forbidden):
    assert forbidden not in render(hostile)


def test_page_level_headings_are_dropped_but_their_text_kept():
    html = render("# Big title\n\n### Section")
    assert "<h1>" not in html
    assert "Big title" in html
    assert "<h3>Section</h3>" in html


def test_template_output_is_not_escaped_twice():
    assert "&lt;strong&gt;" not in render("**bold**")


@pytest.mark.parametrize("empty", [None, ""])
def test_empty_text_renders_nothing(empty):
    assert render_markdown(empty) == ""
    assert render(empty) == ""


def test_a_list_straight_after_a_line_of_text_is_a_list():
    from core.templatetags.markdown import render_markdown

    html = render_markdown("Give them:\n- the numbers\n- the time\n\n1. first\n2. second")
    assert "<ul>\n<li>the numbers</li>\n<li>the time</li>\n</ul>" in html
    assert "<ol>" in html and "<p>Give them:</p>" in html
