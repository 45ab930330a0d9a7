"""``{{ text|markdown }}``: Markdown written by people, rendered safe to show.

Status updates and talk tracks are Markdown typed by responders, and anyone with a
login may read them. Markdown passes raw HTML through, so the rendered HTML is
cleaned with nh3 (an allow-list sanitiser) before it is marked safe: only the tags
below survive, links keep http(s)/mailto targets and get ``rel="noopener noreferrer
nofollow"``, and script/style elements are dropped with their content.
"""

import re

import markdown as markdown_package
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# h1/h2 are left out: a status update sits under the page's own headings.
ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["sane_lists", "tables", "fenced_code"]


LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def _lists_after_paragraphs(text: str) -> str:
    """A list straight after a line of text starts a list, as people type it (and as
    GitHub shows it); Python-Markdown alone would run it into the paragraph."""
    lines, previous = [], ""
    for line in text.splitlines():
        if LIST_ITEM.match(line) and previous.strip() and not LIST_ITEM.match(previous):
            lines.append("")
        lines.append(line)
        previous = line
    return "\n".join(lines)


def render_markdown(text) -> str:
    """The sanitised HTML of ``text`` (a plain string; empty for None)."""
    if not text:
        return ""
    html = markdown_package.markdown(_lists_after_paragraphs(str(text)), extensions=EXTENSIONS,
                                     output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


@register.filter(name="markdown")
def markdown_filter(text):
    return mark_safe(render_markdown(text))  # noqa: S308 — nh3 cleaned it just above
