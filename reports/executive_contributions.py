"""What the executive dashboard and post-mortem exports bring to other pages
(core/registry.py): the export links on a published post-mortem's incident page.

``reports.contributions.register()`` calls ``executive_contributions.register()``.
"""

from core.registry import Panel, register_panel

from . import executive_rules  # noqa: F401 - registers reports.export_postmortem


def _postmortem_exports(request, incident, forms):
    from incidents.choices import PostMortemState
    from incidents.models import PostMortem

    # Only a published post-mortem is exported: a draft is still being written.
    if not PostMortem.objects.filter(incident=incident,
                                     state=PostMortemState.PUBLISHED).exists():
        return None
    return {"incident": incident}


def register():
    register_panel(Panel(
        "reports.postmortem_exports", model="incidents.incident",
        template="reports/postmortem_export_panel.html", context=_postmortem_exports,
        permission="reports.export_postmortem", slot="related", order=45))
