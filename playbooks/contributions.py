"""What the playbooks app brings to the rest of Switchboard (see core/registry.py)."""

from core.choices import Role
from core.registry import (
    Area,
    ListColumn,
    Panel,
    WorkSource,
    register_area,
    register_list_column,
    register_panel,
    register_work_source,
)
from core.roles import EDIT, Grant, register_app


def register():
    from core.history import history_panel

    history_panel("playbooks.playbook")
    from .worklist import my_steps

    register_work_source(WorkSource("playbooks.steps", "Playbook steps due", my_steps,
                                    permission="playbooks.view_steprun", order=30))
    register_app("playbooks", grants={
        Role.MANAGER: [Grant("playbooks", ("publish",))],
        Role.INCIDENT_RESPONDER: [Grant("playbooks", EDIT, ("playbookrun", "steprun"))],
        Role.ESCALATION_LEAD: [Grant("playbooks", EDIT, ("playbookrun", "steprun"))],
    })
    register_area(Area(
        "playbooks", "Playbooks",
        "Versioned procedures that attach themselves to incidents and escalations and "
        "guide the work step by step.", order=50))
    # The checklist of attached playbooks on every incident and escalation page, and
    # their progress on the lists.
    for model in ("incidents.incident", "escalations.escalation"):
        register_panel(Panel(
            f"playbooks.runs.{model}", model=model, template="playbooks/_runs.html",
            context=_runs, permission="playbooks.view_playbookrun", slot="checklists"))
        register_list_column(ListColumn(
            f"playbooks.progress.{model}", model=model, header="Playbooks",
            template="playbooks/_progress_cell.html", values=_progress,
            permission="playbooks.view_playbookrun"))


def _runs(request, obj, forms):
    from .views import runs_context

    return {"playbooks": runs_context(request, obj, forms)}


def _progress(request, rows):
    from .selectors import progress_by_owner

    return progress_by_owner(type(rows[0]), [row.pk for row in rows]) if rows else {}
