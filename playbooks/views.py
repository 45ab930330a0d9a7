"""Playbook pages: the library, a playbook's page (versions, diff, rules, the step
editor for drafts), and the run checklist on incident and escalation pages.

Views parse, call a service in ``playbooks/services.py``, and render; refusals are
shown next to the field they name (``core/web_forms.py``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import web_forms, work_items
from core.validation import parse_id
from core.work_items import get_work_item

from . import conditions as rule_conditions
from . import services
from .choices import VersionState
from .forms import (
    AttachForm,
    CompleteForm,
    ConfirmForm,
    DraftForm,
    LibraryFilterForm,
    MoveForm,
    PlaybookCreateForm,
    PlaybookEditForm,
    RuleForm,
    SkipForm,
    StepForm,
)
from .models import AttachRule, Playbook, PlaybookStep, PlaybookVersion, StepRun
from .selectors import runs_for

PAGE_SIZE = 50
PAGE_TEMPLATE = "playbooks/playbook_detail.html"
PANEL_TEMPLATE = "playbooks/_panel.html"


def reader(view):
    return login_required(permission_required("playbooks.view_playbook",
                                              raise_exception=True)(view))


@reader
def playbook_list(request):
    """The library: search by name or purpose, filter by kind, 50 a page."""
    form = LibraryFilterForm(request.GET)
    form.is_valid()
    filters = form.cleaned_data
    playbooks = (Playbook.objects.annotate(run_count=Count("runs", distinct=True))
                 .prefetch_related(
                     Prefetch("versions", queryset=PlaybookVersion.objects.annotate(
                         step_count=Count("steps")).order_by("-number")),
                     "rules__min_severity", "rules__channel", "rules__regulatory_regime")
                 .order_by("name", "pk"))
    if filters.get("q"):
        playbooks = playbooks.filter(Q(name__icontains=filters["q"])
                                     | Q(purpose__icontains=filters["q"]))
    if filters.get("kind"):
        playbooks = playbooks.filter(kind=filters["kind"])
    page = Paginator(playbooks, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    # The rules' registered conditions (vendor names…) described for the whole page.
    rule_conditions.describe_in_bulk(rule for playbook in rows for rule in playbook.rules.all())
    for playbook in rows:
        versions = list(playbook.versions.all())
        playbook.published = next((v for v in versions if v.state == VersionState.PUBLISHED),
                                  None)
        playbook.draft = next((v for v in versions if v.state == VersionState.DRAFT), None)
    return render(request, "playbooks/playbook_list.html", {
        "form": form, "page": page, "playbooks": rows,
        "filtered": bool(filters.get("q") or filters.get("kind")),
    })


@reader
@permission_required("playbooks.add_playbook", raise_exception=True)
def playbook_create(request):
    """A new playbook (managers): its first version is a draft to write the steps in."""
    form = PlaybookCreateForm(request.POST or None, people=web_forms.people(request))
    if request.method == "POST":
        if form.is_valid():
            try:
                playbook = services.playbook_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(web_forms.validation_errors(exc))
            else:
                return redirect(playbook)
        return render(request, "playbooks/playbook_create.html", {"form": form}, status=400)
    return render(request, "playbooks/playbook_create.html", {"form": form})


# --- A playbook's page --------------------------------------------------------------------


def _shown_version(playbook, versions, request):
    """The version the page shows: ``?version=N``, else the draft (for editors), else
    the published one, else the newest."""
    wanted = request.GET.get("version")
    by_number = {str(v.number): v for v in versions}
    if wanted in by_number:
        return by_number[wanted]
    draft = next((v for v in versions if v.state == VersionState.DRAFT), None)
    if draft is not None and request.user.has_perm(services.EDIT_PERMISSION):
        return draft
    return next((v for v in versions if v.state == VersionState.PUBLISHED),
                versions[0] if versions else None)


def _diff(versions, request):
    by_number = {v.number: v for v in versions}
    older = by_number.get(parse_id(request.GET.get("from")))
    newer = by_number.get(parse_id(request.GET.get("to")))
    if older is None or newer is None:
        return None
    rows = services.version_step_diff(older, newer)
    return {"from": older.number, "to": newer.number, "rows": rows,
            "identical": all(r["status"] == "same" for r in rows)}


def _playbook_context(request, playbook, overrides):
    forms = web_forms.PageForms(web_forms.people(request), overrides)
    versions = list(playbook.versions.select_related("created_by", "published_by")
                    .annotate(step_count=Count("steps")).order_by("-number"))
    shown = _shown_version(playbook, versions, request)
    steps = list(shown.steps.order_by("position", "pk")) if shown else []
    can_edit = request.user.has_perm(services.EDIT_PERMISSION)
    editable = can_edit and shown is not None and shown.state == VersionState.DRAFT
    for step in steps:
        step.edit_form = forms(f"step-{step.pk}", StepForm, **StepForm.initial_for(step)) \
            if editable else None
    rules = list(playbook.rules.select_related("min_severity", "channel",
                                               "regulatory_regime"))
    rule_conditions.describe_in_bulk(rules)
    return {
        "playbook": playbook,
        "versions": versions,
        "shown": shown,
        "steps": steps,
        "draft": next((v for v in versions if v.state == VersionState.DRAFT), None),
        "published": next((v for v in versions if v.state == VersionState.PUBLISHED), None),
        "rules": rules,
        "can_edit": can_edit,
        "editable": editable,
        "can_publish": request.user.has_perm("playbooks.publish_playbookversion"),
        "diff": _diff(versions, request),
        "edit_form": forms("edit", PlaybookEditForm, name=playbook.name,
                           purpose=playbook.purpose),
        "add_step_form": forms("add-step", StepForm),
        "rule_form": forms("add-rule", RuleForm, form_kwargs={"kind": playbook.kind}),
        "draft_form": forms("new-draft", DraftForm),
        "publish_form": forms("publish", DraftForm,
                              change_note=shown.change_note if shown else ""),
        "confirm_form": forms("confirm", ConfirmForm),
        "refusals": forms.orphan_errors(),
        "run_count": playbook.runs.count(),
    }


def _render_playbook(request, pk, *, overrides=None, status=200, panel=None):
    playbook = get_object_or_404(Playbook, pk=pk)
    return web_forms.render_page_or_panel(
        request, _playbook_context(request, playbook, overrides or {}),
        page_template=PAGE_TEMPLATE, panel_template=PANEL_TEMPLATE, status=status, panel=panel)


@reader
def playbook_detail(request, pk):
    return _render_playbook(request, pk, panel=False)


@dataclass(frozen=True)
class LibraryAction:
    """A write on the playbook page: its form, the service call, what to say."""

    form: type
    run: Callable  # (playbook, request, cleaned data, target object or None)
    done: str
    target: type | None = None  # a step or a rule named in the URL


def _draft(playbook):
    draft = services.current_draft(playbook)
    if draft is None:
        raise ValidationError({"version": "There is no draft: start a new version first."})
    return draft


LIBRARY_ACTIONS = {
    "edit": LibraryAction(PlaybookEditForm, lambda p, r, d, _: services.playbook_update(
        playbook=p, by=r.user, **d), "saved"),
    "new-draft": LibraryAction(DraftForm, lambda p, r, d, _: services.version_new_draft(
        playbook=p, by=r.user, change_note=d["change_note"]), "new draft started"),
    "publish": LibraryAction(DraftForm, lambda p, r, d, _: services.version_publish(
        version=_draft(p), by=r.user, change_note=d["change_note"]), "draft published"),
    "retire": LibraryAction(ConfirmForm, lambda p, r, d, _: services.version_retire(
        version=services.published_version(p) or _draft(p), by=r.user), "retired"),
    "add-step": LibraryAction(StepForm, lambda p, r, d, _: services.step_save(
        version=_draft(p), by=r.user, **StepForm.service_fields_of(d)), "step added"),
    "edit-step": LibraryAction(StepForm, lambda p, r, d, step: services.step_save(
        version=step.version, step=step, by=r.user, **StepForm.service_fields_of(d)),
        "step saved", PlaybookStep),
    "delete-step": LibraryAction(ConfirmForm, lambda p, r, d, step: services.step_delete(
        step=step, by=r.user), "step removed", PlaybookStep),
    "move-step": LibraryAction(MoveForm, lambda p, r, d, step: services.step_move(
        step=step, by=r.user, position=d["position"] or 0), "step moved", PlaybookStep),
    "add-rule": LibraryAction(RuleForm, lambda p, r, d, _: services.rule_save(
        playbook=p, by=r.user, **{k: v for k, v in d.items() if v not in (None, "")}),
        "rule added"),
    "remove-rule": LibraryAction(ConfirmForm, lambda p, r, d, rule: services.rule_delete(
        rule=rule, by=r.user), "rule removed", AttachRule),
}


@require_POST
@reader
def playbook_action(request, pk, name, target_pk=None):
    action = LIBRARY_ACTIONS.get(name)
    if action is None:
        raise Http404("No such action.")
    playbook = get_object_or_404(Playbook, pk=pk)
    target = None
    if action.target is PlaybookStep:
        target = get_object_or_404(PlaybookStep, pk=target_pk, version__playbook=playbook)
    elif action.target is AttachRule:
        target = get_object_or_404(AttachRule, pk=target_pk, playbook=playbook)
    key = f"step-{target.pk}" if name == "edit-step" else name
    kwargs = {"kind": playbook.kind} if action.form is RuleForm else {}
    form = action.form(request.POST, auto_id=f"{key}-%s", people=web_forms.people(request),
                       **kwargs)
    return web_forms.submit(
        request, playbook, form, key=key, labels={},
        run=lambda data: action.run(playbook, request, data, target),
        done=action.done, render=_render_playbook)


# --- The checklist on incident and escalation pages -------------------------------------


NEXT_STEPS_OPEN = 2


def runs_context(request, obj, forms):
    """The "Playbooks" card of an incident or escalation page (their views ask)."""
    user = request.user
    can_work = services.can_work_on(user, obj) and not services.is_finished(obj)
    runs = runs_for(obj)
    for view in runs:
        for step in view.steps:
            # A step for another role: greyed with the reason, not offered as a button.
            step.blocked = services.why_not_work_step(user, step) if can_work else None
            works = can_work and step.blocked is None
            step.complete_form = forms(f"complete-{step.pk}", CompleteForm, form_kwargs={
                "evidence": step.step.evidence}) if works else None
            step.skip_form = forms(f"skip-{step.pk}", SkipForm) if works else None
        # The compact checklist: finished steps folded, the next pending ones open
        # (NEXT_STEPS_OPEN, and every overdue one), the later ones folded.
        pending = [step for step in view.steps if step.state == "pending"]
        view.finished_steps = [step for step in view.steps if step.state != "pending"]
        view.next_steps = [step for i, step in enumerate(pending)
                           if i < NEXT_STEPS_OPEN or step.is_overdue]
        view.later_steps = [step for step in pending if step not in view.next_steps]
        # A refused step among the folded ones shows its error: the fold opens.
        view.later_open = any(form is not None and form.errors for step in view.later_steps
                              for form in (step.complete_form, step.skip_form))
    attached = {view.run.playbook_id for view in runs}
    choices = None
    if can_work and user.has_perm("playbooks.add_playbookrun"):
        choices = (Playbook.objects.filter(kind=services.owner_kind(obj),
                                           versions__state=VersionState.PUBLISHED)
                   .exclude(pk__in=attached).order_by("name"))
        if not choices.exists():
            choices = None  # every playbook is attached already: nothing to offer
    return {
        "runs": runs,
        "can_work": can_work,
        "attach_form": forms("attach-playbook", AttachForm, form_kwargs={"choices": choices})
        if choices is not None else None,
        "kind": services.owner_kind(obj),
        "owner": obj,
    }


def _owner(kind, pk):
    """The incident, escalation… a playbook card posted from (any work item)."""
    return get_work_item(kind, pk)


def _submit_on_owner(request, obj, form, *, key, run, done):
    # Answered with the owner's own page (core.registry.render_object_page).
    return web_forms.submit(request, obj, form, key=key, run=run, done=done, labels={},
                            anchor="#playbooks")


@require_POST
@login_required
def step_complete(request, pk):
    step_run = get_object_or_404(StepRun.objects.select_related(
        "step", "run__playbook"), pk=pk)
    obj = step_run.run.owner
    form = CompleteForm(request.POST, request.FILES, evidence=step_run.step.evidence,
                        auto_id=f"complete-{pk}-%s", people=web_forms.people(request))
    return _submit_on_owner(
        request, obj, form, key=f"complete-{pk}",
        run=lambda data: services.step_complete(
            step_run=step_run, by=request.user, note=data.get("note", ""),
            link=data.get("link", ""), file=data.get("file")),
        done=f"step {step_run.position} of {step_run.run.playbook.name} done")


@require_POST
@login_required
def step_skip(request, pk):
    step_run = get_object_or_404(StepRun.objects.select_related(
        "step", "run__playbook"), pk=pk)
    obj = step_run.run.owner
    form = SkipForm(request.POST, auto_id=f"skip-{pk}-%s", people=web_forms.people(request))
    return _submit_on_owner(
        request, obj, form, key=f"skip-{pk}",
        run=lambda data: services.step_skip(step_run=step_run, by=request.user,
                                            reason=data["reason"]),
        done=f"step {step_run.position} of {step_run.run.playbook.name} skipped")


@require_POST
@login_required
def attach(request, kind, pk):
    obj = _owner(kind, pk)
    form = AttachForm(request.POST, auto_id="attach-playbook-%s",
                      people=web_forms.people(request),
                      choices=Playbook.objects.filter(kind=services.owner_kind(obj)))

    def run(data):
        if data["playbook"] is None:
            raise ValidationError({"playbook": "Choose the playbook to attach."})
        return services.playbook_attach(playbook=data["playbook"], obj=obj, by=request.user)

    return _submit_on_owner(request, obj, form, key="attach-playbook", run=run,
                            done="playbook attached")


@login_required
def evidence(request, pk):
    """Download a step's evidence file: for people who may read the incident or
    escalation it belongs to. Media files are never served publicly (screenshots of
    an outage may show customer data)."""
    step_run = get_object_or_404(StepRun.objects.select_related(
        "run"), pk=pk)
    owner = step_run.run.owner
    if not (request.user.has_perm("playbooks.view_steprun")
            and work_items.may_view(request.user, owner)):
        raise PermissionDenied("Your role cannot see this evidence.")
    if not step_run.file:
        raise Http404("This step has no evidence file.")
    return FileResponse(step_run.file.open("rb"), as_attachment=True,
                        filename=step_run.file_name)
