"""A published post-mortem as a document: PDF (through ``core/printing.py``) and
Markdown.

The document gathers what the incident page shows — the post-mortem's text, the
incident's timeline, its action items and the sign-off — with the customer impact
measured by ``kpis.selectors.incident_impact`` and, for money roles only, the cost
breakdown of ``budgets.incident_cost.incident_cost``.

User text is Markdown. In the PDF it goes through core's sanitised renderer
(``core.templatetags.markdown.render_markdown``: nh3 with an allow-list), so no raw HTML
from a post-mortem reaches WeasyPrint. In the Markdown file it stays Markdown, with
``<`` escaped so that a viewer rendering the file shows any HTML as text.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from core.templatetags.formatting import format_money

SECTIONS = [  # (field, heading), in the order the document reads
    ("summary", "Summary"),
    ("customer_impact", "Customer impact"),
    ("root_cause", "Root cause"),
    ("contributing_factors", "Contributing factors"),
    ("went_well", "What went well"),
    ("went_badly", "What went badly"),
    ("lessons", "Lessons"),
]


@dataclass
class TimelineLine:
    at: datetime
    kind: str
    actor: str
    text: str


@dataclass
class ActionLine:
    kind: str
    title: str
    owner: str
    due_date: object
    state: str


@dataclass
class PostMortemDocument:
    postmortem: object
    incident: object
    sections: list  # [(heading, markdown text)] of the sections written
    five_whys: list  # one line per "why"
    timeline: list = field(default_factory=list)
    action_items: list = field(default_factory=list)
    impact: object | None = None  # kpis.selectors.Impact
    cost: object | None = None  # budgets.incident_cost.Breakdown (money roles only)
    money: bool = False

    @property
    def author(self) -> str:
        return person(self.postmortem.author)

    @property
    def reviewer(self) -> str:
        return person(self.postmortem.reviewer)


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def postmortem_document(postmortem, *, user) -> PostMortemDocument:
    """Everything the export shows of ``postmortem`` (published) as ``user`` may see it."""
    from incidents.services.postmortem import postmortem_timeline
    from kpis.selectors import incident_impact

    incident = postmortem.incident
    money = user.has_perm("core.view_money")
    timeline = [TimelineLine(entry.at, entry.get_kind_display(), person(entry.actor),
                             entry.render())
                for entry in postmortem_timeline(postmortem)]
    actions = [ActionLine(item.get_kind_display(), item.title, person(item.owner),
                          item.due_date, item.get_state_display())
               for item in incident.action_items.select_related("owner").order_by(
                   "due_date", "pk")]
    cost = None
    if money:
        from budgets.incident_cost import incident_cost

        cost = incident_cost(incident)
    return PostMortemDocument(
        postmortem=postmortem, incident=incident,
        sections=[(heading, getattr(postmortem, name)) for name, heading in SECTIONS
                  if getattr(postmortem, name).strip()],
        five_whys=[line.strip() for line in postmortem.five_whys.splitlines() if line.strip()],
        timeline=timeline, action_items=actions, impact=incident_impact(incident),
        cost=cost, money=money)


# --- Markdown -------------------------------------------------------------------------------


def _text(value) -> str:
    """User Markdown kept as Markdown, with any HTML shown as text."""
    return str(value or "").replace("<", "&lt;").strip()


def _inline(value) -> str:
    """One line of user text in a table cell or heading."""
    return _text(value).replace("\r", " ").replace("\n", " ").replace("|", "\\|")


def _when(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M %Z}"
    return value.isoformat()


def postmortem_to_markdown(doc: PostMortemDocument) -> str:
    incident, pm = doc.incident, doc.postmortem
    out = [f"# Post-mortem: {incident.reference} — {_inline(incident.title)}", ""]
    severity = f"{incident.severity.key} ({_inline(incident.severity.name)})" \
        if incident.severity else "—"
    out += ["| | |", "|---|---|",
            f"| Severity | {severity} |",
            f"| Declared | {_when(incident.declared_at)} |",
            f"| Triaged | {_when(incident.triaged_at)} |",
            f"| Contained | {_when(incident.contained_at)} |",
            f"| Resolved | {_when(incident.resolved_at)} |",
            f"| Published | {_when(pm.published_at)} |", ""]
    for heading, text in doc.sections:
        out += [f"## {heading}", "", _text(text), ""]
    if doc.five_whys:
        out += ["## Five whys", ""]
        out += [f"{n}. {_inline(line)}" for n, line in enumerate(doc.five_whys, 1)]
        out.append("")
    out += ["## Impact", ""]
    if doc.impact is None:
        out += ["No contact-center data for the affected queues.", ""]
    else:
        impact = doc.impact
        out += [f"- Contacts lost against the {impact.baseline_weeks}-week baseline: "
                f"**{impact.lost_contacts}**",
                f"- Offered during the incident: {impact.during['offered']} "
                f"(expected {impact.expected_offered})",
                f"- Extra abandons: {impact.extra_abandons}",
                f"- Service level: {_figure(impact.figures.get('service_level'))} "
                f"(baseline {_figure(impact.baseline_figures.get('service_level'))})", ""]
    if doc.money and doc.cost is not None:
        cost = doc.cost
        out += ["## Cost", "", "| Part | How | Amount |", "|---|---|---:|"]
        for line in cost.lines:
            amount = ("no rate" if line.amount is None
                      else format_money(line.amount, cost.currency))
            sign = "−" if line.part == "credits" and line.amount is not None else ""
            out.append(f"| {_inline(line.label)} | {_inline(line.formula)} | {sign}{amount} |")
        out += [f"| **Total** | | **{cost.total} {cost.currency}** |", ""]
    out += ["## Timeline", ""]
    for entry in doc.timeline:
        who = f" — {_inline(entry.actor)}" if entry.actor else ""
        out.append(f"- **{_when(entry.at)}** ({entry.kind}){who}: {_inline(entry.text)}")
    out.append("")
    out += ["## Action items", ""]
    if doc.action_items:
        out += ["| Kind | Action | Owner | Due | State |", "|---|---|---|---|---|"]
        out += [f"| {a.kind} | {_inline(a.title)} | {_inline(a.owner) or '—'} | "
                f"{_when(a.due_date)} | {a.state} |" for a in doc.action_items]
    else:
        out.append("None.")
    out += ["", "## Sign-off", "",
            f"- Written by {_inline(doc.author)}, submitted {_when(pm.submitted_at)}",
            f"- Reviewer: {_inline(doc.reviewer) or '—'}; published {_when(pm.published_at)}",
            ""]
    return "\n".join(out)


def _figure(value) -> str:
    return "—" if value is None else f"{value} %"
