"""The areas of Switchboard, declared once for the navigation and the area pages."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    summary: str
    # A permission that must be held to see the area at all (money is restricted).
    permission: str | None = None
    # The issue that builds the area, shown while it is a shell.
    issue: int | None = None

    @property
    def url_name(self):
        return f"{self.key}:index"


AREAS = [
    Area(
        "incidents", "Incidents",
        "Declare, triage, contain and resolve outages of voice, IVR, chat, bots and CRM, "
        "with SLA clocks, status updates and post-mortems.",
        issue=4,
    ),
    Area(
        "escalations", "Escalations",
        "Complaints, regulatory complaints and high-value customers worked against SLA "
        "clocks on business calendars, up a tier ladder.",
        issue=5,
    ),
    Area(
        "vendors", "Vendors",
        "Contracts with measurable SLAs, compliance per period, service credits claimed "
        "to the money, renewal and notice dates.",
    ),
    Area(
        "playbooks", "Playbooks",
        "Versioned procedures that attach themselves to incidents and escalations and "
        "guide the work step by step.",
        issue=6,
    ),
    Area(
        "budgets", "Budgets",
        "Budgets for tooling, vendor contracts and initiatives, spend against them, "
        "realised benefits, ROI and payback.",
        permission="core.view_money",
    ),
    Area(
        "reports", "Reports",
        "Vendor review packs, the executive dashboard and post-mortem exports "
        "(HTML, PDF, XLSX, CSV).",
    ),
]

AREAS_BY_KEY = {area.key: area for area in AREAS}


def visible_areas(user):
    """The areas ``user`` may open, in navigation order."""
    return [a for a in AREAS if a.permission is None or user.has_perm(a.permission)]
