"""Playbook use cases: keeping the library (managers), attaching playbooks to incidents
and escalations (by rule or by hand), and working the steps.

* **Versions.** A playbook is edited as a draft; publishing it retires the version
  published before (exactly one at a time, also kept by a database constraint); a
  published version never changes — editing means a new draft, copied from it.
* **Attachment.** Incident and escalation services announce their changes
  (``core.hooks.object_changed``); ``attach_matching_playbooks`` then attaches every
  published playbook whose rules match and that is not attached yet (a database
  constraint refuses a second run). A run keeps the version it started with.
* **Steps.** Done (with the evidence the step asks for) or skipped (with a reason;
  required steps cannot be skipped). A step's due offset is an SLA clock from the
  moment the playbook attached; its warning and breach tell the people in the step's
  role on that incident or escalation.
* **Closing.** Required steps still to do block closing the incident or escalation
  (``core.hooks.close_blockers``), and the refusal names them.
* **The kernel only.** Incidents and escalations are reached through
  ``core.work_items``: the type's key is the playbook kind (and the run's foreign
  key), its finished states, its facts for attach rules, its people, its timeline.
  Nothing here names either app.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import work_items
from core.audit import audited, save_with_audit
from core.choices import ClockState, Role
from core.clocks import builtin_calendar, clock_start, clock_stop, clocks_of
from core.pci import redact_card_numbers
from core.transitions import lock, perform_transition
from core.why_not import Refusal, forbidden, refuse

from . import conditions as rule_conditions
from . import timeline_events as events
from .choices import AttachedHow, Evidence, PlaybookKind, StepState, VersionState
from .clock_kinds import STEP_CLOCK
from .diff import version_diff, version_step_diff  # noqa: F401 - re-exported
from .models import (
    AttachRule,
    Playbook,
    PlaybookRun,
    PlaybookStep,
    PlaybookVersion,
    StepRun,
    owned_by,
)

EDIT_PERMISSION = "playbooks.change_playbook"
MAX_FILE_BYTES = 10 * 1024 * 1024


def _now(at):
    return at or timezone.now()


def _name(user):
    return user.get_full_name() or user.username


def _check_editor(by):
    if not by.has_perm(EDIT_PERMISSION):
        raise PermissionDenied("Only managers edit the playbook library.")


# --- The library ---------------------------------------------------------------------------


@transaction.atomic
def playbook_create(*, by, name, kind, purpose, slug, owner=None, at=None) -> Playbook:
    """A new playbook with an empty draft (version 1) to write its steps in."""
    if not by.has_perm("playbooks.add_playbook"):
        raise PermissionDenied("Only managers add playbooks.")
    playbook = Playbook(name=(name or "").strip(), kind=kind, purpose=(purpose or "").strip(),
                        slug=slug, owner=owner)
    playbook.full_clean()
    save_with_audit(playbook, by=by, reason="Created")
    _new_version(playbook, by=by, at=_now(at), change_note="First version")
    return playbook


@transaction.atomic
def playbook_update(*, playbook: Playbook, by, **fields) -> Playbook:
    """Change the name, purpose or owner (the kind is fixed: rules and runs depend on it)."""
    _check_editor(by)
    unknown = set(fields) - {"name", "purpose", "owner"}
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in unknown})
    playbook = lock(Playbook, playbook.pk)
    changed = [name for name, value in fields.items() if getattr(playbook, name) != value]
    for name in changed:
        setattr(playbook, name, fields[name])
    if changed:
        playbook.full_clean()
        save_with_audit(playbook, by=by, reason=f"Edited: {', '.join(sorted(changed))}")
    return playbook


def _new_version(playbook, *, by, at, change_note="", copy_from=None):
    last = playbook.versions.order_by("-number").values_list("number", flat=True).first()
    version = PlaybookVersion(playbook=playbook, number=(last or 0) + 1, created_by=by,
                              created_at=at, change_note=change_note[:300])
    try:
        with transaction.atomic():
            save_with_audit(version, by=by, reason=f"Draft v{version.number}")
    except IntegrityError:
        raise ValidationError({"version": "This playbook already has a draft; edit that one."
                               }) from None
    if copy_from is not None:
        for step in copy_from.steps.all():
            step.pk = None
            step.version = version
            save_with_audit(step, by=by, reason=f"Copied from v{copy_from.number}")
    return version


def current_draft(playbook):
    return playbook.versions.filter(state=VersionState.DRAFT).first()


def published_version(playbook):
    return playbook.versions.filter(state=VersionState.PUBLISHED).first()


@transaction.atomic
def version_new_draft(*, playbook: Playbook, by, change_note="", at=None) -> PlaybookVersion:
    """Start the next version as a draft, a copy of the latest one's steps."""
    _check_editor(by)
    playbook = lock(Playbook, playbook.pk)
    if current_draft(playbook) is not None:
        raise ValidationError({"version": f"v{current_draft(playbook).number} is already a "
                                          "draft: edit it, or publish it first."})
    latest = playbook.versions.order_by("-number").first()
    return _new_version(playbook, by=by, at=_now(at), change_note=change_note,
                        copy_from=latest)


@transaction.atomic
def version_publish(*, version: PlaybookVersion, by, change_note=None,
                    at=None) -> PlaybookVersion:
    """Publish a draft: it is what new runs follow from now on, and the version
    published before is retired. Runs already under way keep their version."""
    at = _now(at)
    Playbook.objects.select_for_update().get(pk=version.playbook_id)
    version = lock(PlaybookVersion, version.pk)
    if change_note is not None:
        version.change_note = change_note.strip()[:300]
    current = published_version(version.playbook)
    if current is not None and version.state == VersionState.DRAFT:
        # Retire first: the database allows one published version at a time. If the
        # draft then cannot be published (no steps, no permission) the transaction
        # rolls the retirement back with it.
        perform_transition(current, "retire", by=by, at=at,
                           reason=f"Retired: v{version.number} published")
    perform_transition(version, "publish", by=by, publisher=by, at=at, reason="Published")
    return version


@transaction.atomic
def version_retire(*, version: PlaybookVersion, by, at=None) -> PlaybookVersion:
    """Retire the published version without a replacement: the playbook stops
    attaching (runs under way go on)."""
    version = lock(PlaybookVersion, version.pk)
    perform_transition(version, "retire", by=by, at=_now(at), reason="Retired")
    return version


def _check_draft(version):
    if version.state != VersionState.DRAFT:
        raise ValidationError({"version": (
            f"v{version.number} is {version.get_state_display().lower()} and cannot change; "
            "start a new draft to edit the steps.")})


STEP_FIELDS = ("title", "instructions", "responsible_role", "due_offset", "required",
               "evidence")


@transaction.atomic
def step_save(*, version: PlaybookVersion, by, step: PlaybookStep | None = None,
              **fields) -> PlaybookStep:
    """Add a step at the end of a draft, or change one of its steps."""
    _check_editor(by)
    unknown = set(fields) - set(STEP_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})
    version = lock(PlaybookVersion, version.pk)
    _check_draft(version)
    if step is None:
        last = version.steps.order_by("-position").values_list("position", flat=True).first()
        step = PlaybookStep(version=version, position=(last or 0) + 1)
        reason = "Step added"
    else:
        if step.version_id != version.pk:
            raise ValidationError({"step": "That step belongs to another version."})
        step = lock(PlaybookStep, step.pk)
        reason = f"Step {step.position} edited: {', '.join(sorted(fields)) or 'nothing'}"
    for name, value in fields.items():
        setattr(step, name, value.strip() if isinstance(value, str) and name == "title"
                else value)
    if not step.title:
        raise ValidationError({"title": "Give the step a title."})
    step.full_clean()
    save_with_audit(step, by=by, reason=reason)
    return step


def _renumber(version, ordered, *, by, reason):
    for position, step in enumerate(ordered, start=1):
        if step.position != position:
            step.position = position
            save_with_audit(step, by=by, reason=reason)


@transaction.atomic
def step_delete(*, step: PlaybookStep, by):
    _check_editor(by)
    version = lock(PlaybookVersion, step.version_id)
    _check_draft(version)
    with audited(step, by=by, reason=f"Step {step.position} removed"):
        step.delete()
    _renumber(version, list(version.steps.order_by("position", "pk")), by=by,
              reason="Renumbered")


@transaction.atomic
def step_move(*, step: PlaybookStep, by, position: int) -> PlaybookStep:
    """Move a step of a draft to ``position`` (1 = first)."""
    _check_editor(by)
    version = lock(PlaybookVersion, step.version_id)
    _check_draft(version)
    steps = [s for s in version.steps.order_by("position", "pk") if s.pk != step.pk]
    if not 1 <= position <= len(steps) + 1:
        raise ValidationError({"position": f"Choose a position from 1 to {len(steps) + 1}."})
    steps.insert(position - 1, PlaybookStep.objects.get(pk=step.pk))
    _renumber(version, steps, by=by, reason=f"Step moved to {position}")
    return PlaybookStep.objects.get(pk=step.pk)


RULE_FIELDS = ("min_severity", "min_priority", "channel", "category", "customer_tier",
               "regulatory", "regulatory_regime")


@transaction.atomic
def rule_save(*, playbook: Playbook, by, rule: AttachRule | None = None, **fields) -> AttachRule:
    """Add or change an attach rule; it applies to changes from now on (objects already
    open are matched again at their next change).

    ``fields`` are the rule's own conditions and the fields of conditions other apps
    register (``playbooks/conditions.py``: ``vendors``, ``vendor_categories``…), each
    cleaned by its condition; a registered condition not named keeps its values."""
    _check_editor(by)
    extra_names = rule_conditions.condition_field_names()
    unknown = set(fields) - set(RULE_FIELDS) - extra_names
    if unknown:
        raise ValidationError({name: "Not a condition of attach rules." for name in unknown})
    rule = rule or AttachRule(playbook=playbook)
    if rule.playbook_id != playbook.pk:
        raise ValidationError({"rule": "That rule belongs to another playbook."})
    for name, value in fields.items():
        if name in RULE_FIELDS:
            setattr(rule, name, value)
    rule.extra_conditions = rule_conditions.merge(
        rule.extra_conditions, {name: value for name, value in fields.items()
                                if name in extra_names})
    rule.__dict__.pop("condition_descriptions", None)  # worked out for the old values
    rule.full_clean()
    save_with_audit(rule, by=by, reason=f"Rule: {rule.describe()}")
    return rule


@transaction.atomic
def rule_delete(*, rule: AttachRule, by):
    _check_editor(by)
    with audited(rule, by=by, reason=f"Rule removed: {rule.describe()}"):
        rule.delete()


# --- Matching and attaching ---------------------------------------------------------------


def owner_kind(obj) -> str:
    """The playbook kind for ``obj``: its work-item type's key ("incident")."""
    return work_items.work_item_type_of(obj).key


def follows_playbooks(obj) -> bool:
    """A registered work item of a kind playbooks are written for."""
    return work_items.is_work_item(obj) and owner_kind(obj) in PlaybookKind.values


def is_finished(obj) -> bool:
    """In one of its type's finished states (closed, cancelled, withdrawn…): nothing
    attaches and no step is worked."""
    return work_items.is_finished(obj)


def rule_matches(rule: AttachRule, obj, facts: dict | None = None) -> bool:
    """Every condition the rule sets holds for ``obj``, read from its facts
    (``core.work_items.playbook_facts``; pass them when matching many rules)."""
    if rule.playbook.kind != owner_kind(obj):
        return False
    facts = work_items.playbook_facts(obj) if facts is None else facts
    if rule.min_severity_id:
        rank = facts.get("severity_rank")
        if rank is None or rank > rule.min_severity.rank:
            return False
    priority = facts.get("priority")
    if rule.min_priority and not (priority and priority <= rule.min_priority):
        return False
    if rule.channel_id and rule.channel_id not in (facts.get("channel_ids") or ()):
        return False
    if rule.category and facts.get("category") != rule.category:
        return False
    if rule.customer_tier and facts.get("customer_tier") != rule.customer_tier:
        return False
    regime = facts.get("regulatory_regime_id")
    if rule.regulatory and not regime:
        return False
    if rule.regulatory_regime_id and regime != rule.regulatory_regime_id:
        return False
    # Conditions other apps registered (the vendors named on an incident…).
    return rule_conditions.matches(rule.extra_conditions, facts)


def runs_of(obj):
    """The runs on an incident or escalation (``PlaybookRun.objects.of``)."""
    return PlaybookRun.objects.of(obj)


def can_work_on(user, obj) -> bool:
    """Works steps here: holds the step-run permission and may work this item (the
    object permission its work-item type names)."""
    return user.has_perm("playbooks.change_steprun") and work_items.may_work(user, obj)


def _start_run(playbook, version, obj, *, by, at, how, rule=None):
    run = PlaybookRun(playbook=playbook, version=version, owner=obj, attached_by=by,
                      attached_at=at, attached_how=how, rule=rule)
    try:
        with transaction.atomic():
            save_with_audit(run, by=by, reason=f"Attached {version} "
                                               f"({run.get_attached_how_display().lower()})")
    except IntegrityError:
        return None  # attached meanwhile (never twice)
    for step in version.steps.order_by("position", "pk"):
        step_run = StepRun(run=run, step=step, position=step.position)
        save_with_audit(step_run, by=by, reason="Step to do")
        if step.due_offset:
            clock_start(owner=step_run, kind=STEP_CLOCK, target=step.due_offset, by=by,
                        at=at, calendar=builtin_calendar())
    owner_timeline_add(obj, events.ATTACHED, {
        "playbook": playbook.name, "playbook_id": playbook.pk, "run": run.pk,
        "version": version.number, "steps": version.steps.count(),
        "rule": rule.describe() if rule else None, "by_name": _name(by)}, by=by, at=at)
    return run


@transaction.atomic
def attach_matching_playbooks(obj, *, by, at=None) -> list[PlaybookRun]:
    """Attach every published playbook whose rules match ``obj`` now and that is not
    attached to it yet. Called whenever an incident or escalation changes."""
    if is_finished(obj):
        return []
    at = _now(at)
    attached = set(runs_of(obj).values_list("playbook_id", flat=True))
    candidates = (Playbook.objects.filter(kind=owner_kind(obj), versions__state="published")
                  .exclude(pk__in=attached).prefetch_related("rules__min_severity"))
    runs = []
    facts = work_items.playbook_facts(obj)
    for playbook in candidates:
        rule = next((rule for rule in playbook.rules.all() if rule_matches(rule, obj, facts)),
                    None)
        if rule is None:
            continue
        run = _start_run(playbook, published_version(playbook), obj, by=by, at=at,
                         how=AttachedHow.RULE, rule=rule)
        if run is not None:
            runs.append(run)
    return runs


@transaction.atomic
def playbook_attach(*, playbook: Playbook, obj, by, at=None) -> PlaybookRun:
    """Attach a playbook by hand (its rules need not match), its published version."""
    if not by.has_perm("playbooks.add_playbookrun") or not can_work_on(by, obj):
        raise PermissionDenied("Your role cannot attach playbooks here.")
    if playbook.kind != owner_kind(obj):
        raise ValidationError({"playbook": f"{playbook.name} is an "
                                           f"{playbook.get_kind_display().lower()} playbook."})
    if is_finished(obj):
        raise ValidationError({"playbook": f"This {obj._meta.verbose_name} is "
                                           f"{obj.get_state_display().lower()}."})
    version = published_version(playbook)
    if version is None:
        raise ValidationError({"playbook": f"{playbook.name} has no published version."})
    if runs_of(obj).filter(playbook=playbook).exists():
        raise ValidationError({"playbook": f"{playbook.name} is already attached."})
    run = _start_run(playbook, version, obj, by=by, at=_now(at), how=AttachedHow.HAND)
    if run is None:
        raise ValidationError({"playbook": f"{playbook.name} is already attached."})
    return run


def stop_step_clocks(obj, *, by, at=None):
    """The incident or escalation is over: its pending steps' clocks stop reminding."""
    steps = StepRun.objects.filter(owned_by(obj, "run__"), state=StepState.PENDING)
    for step_run in steps:
        for clock in clocks_of(step_run):
            if clock.state != ClockState.STOPPED:
                clock_stop(clock=clock, by=by, at=at)


def on_object_changed(sender, instance, by, created=False, at=None, **kwargs):
    """``core.hooks.object_changed`` receiver (playbooks/apps.py)."""
    if not follows_playbooks(instance):
        return
    if is_finished(instance):
        stop_step_clocks(instance, by=by, at=at)
    else:
        attach_matching_playbooks(instance, by=by, at=at)


def required_steps_pending(obj) -> list[str]:
    """``core.hooks`` close check: the required steps still to do, named."""
    if obj.pk is None or not follows_playbooks(obj):
        return []
    pending = (StepRun.objects.filter(owned_by(obj, "run__"), state=StepState.PENDING,
                                      step__required=True)
               .select_related("step", "run__playbook").order_by("run__attached_at", "position"))
    return [f"{step_run.run.playbook.name} step {step_run.position} “{step_run.step.title}”"
            for step_run in pending]


# --- Working the steps ---------------------------------------------------------------------


def _roles_of(user) -> set[str]:
    # Read once per request's user object: a checklist asks for every step.
    if not hasattr(user, "_switchboard_roles"):
        user._switchboard_roles = set(user.groups.values_list("name", flat=True))
    return user._switchboard_roles


def why_not_work_step(user, step_run) -> Refusal | None:
    """May ``user`` complete or skip this step? A step with a responsible role is for
    people in that role (managers may do any step: they stand in for anyone). The
    checklist greys the step's buttons with these words and the service refuses with
    them (403)."""
    role = step_run.step.responsible_role
    if not role or user.is_superuser or _roles_of(user) & {role, Role.MANAGER}:
        return None
    return forbidden(f"This step is for the {Role(role).label} role; ask someone in it.")



def _lock_step(step_run, by):
    # of=("self",): only the step is locked, not the run and playbook joined to it.
    step_run = StepRun.objects.select_for_update(of=("self",)).select_related(
        "step", "run__playbook").get(pk=step_run.pk)
    if not can_work_on(by, step_run.run.owner):
        raise PermissionDenied("Your role cannot work playbook steps here.")
    refuse(why_not_work_step(by, step_run))
    if is_finished(step_run.run.owner):
        raise ValidationError({"step": f"The {step_run.run.owner._meta.verbose_name} is "
                                       f"{step_run.run.owner.get_state_display().lower()}."})
    return step_run


def _stop_step_clock(step_run, *, by, at):
    for clock in clocks_of(step_run):
        if clock.state != ClockState.STOPPED:
            clock_stop(clock=clock, by=by, at=at)


def _check_file(upload):
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError({"file": f"The file is {upload.size // 1024 // 1024} MB; the "
                                       f"limit is {MAX_FILE_BYTES // 1024 // 1024} MB."})


@transaction.atomic
def step_complete(*, step_run: StepRun, by, note="", link="", file=None,
                  at: datetime | None = None) -> StepRun:
    """Check a step off, with the evidence it asks for (a note, a link or a file)."""
    at = _now(at)
    step_run = _lock_step(step_run, by)
    # The state first (a step done twice is a 409 whatever it is sent with); fields
    # are saved once everything is checked, the file last, so a refusal leaves none.
    perform_transition(step_run, "complete", by=by, user=by, at=at, reason="", save=False)
    note, masked = redact_card_numbers((note or "").strip())
    link = (link or "").strip()
    evidence = step_run.step.evidence
    missing = {Evidence.NOTE: ("note", not note, "Write what was done: this step needs a note."),
               Evidence.LINK: ("link", not link, "Paste the link this step needs (e.g. the "
                                                 "carrier ticket)."),
               Evidence.FILE: ("file", file is None, "Attach the file this step needs (e.g. a "
                                                     "screenshot).")}.get(evidence)
    if missing and missing[1]:
        raise ValidationError({missing[0]: missing[2]})
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise ValidationError({"link": "Give a full web address, starting https://."}
                                  ) from None
    if file is not None:
        _check_file(file)
    step_run.note, step_run.link = note, link
    if file is not None:
        step_run.file.save(file.name, file, save=False)
    save_with_audit(step_run, by=by, reason=f"Done: {step_run.step.title}")
    _stop_step_clock(step_run, by=by, at=at)
    owner_timeline_add(step_run.run.owner, events.STEP_DONE,
                       {**_step_params(step_run, by), "note": note, "link": link},
                       by=by, at=at, masked=masked)
    return step_run


@transaction.atomic
def step_skip(*, step_run: StepRun, by, reason, at=None) -> StepRun:
    """Skip an optional step, with a reason. Required steps cannot be skipped."""
    at = _now(at)
    step_run = _lock_step(step_run, by)
    if step_run.state != StepState.PENDING:  # the 409 first, as for complete
        perform_transition(step_run, "skip", by=by, user=by, at=at, reason="", save=False)
    reason, masked = redact_card_numbers((reason or "").strip())
    if step_run.step.required:
        raise ValidationError({"reason": "This step is required: complete it (say in the "
                                         "note if it did not apply) rather than skip it."})
    if not reason:
        raise ValidationError({"reason": "Say why the step is skipped."})
    step_run.skip_reason = reason
    perform_transition(step_run, "skip", by=by, user=by, at=at, reason=f"Skipped: {reason}")
    _stop_step_clock(step_run, by=by, at=at)
    owner_timeline_add(step_run.run.owner, events.STEP_SKIPPED,
                       {**_step_params(step_run, by), "reason": reason},
                       by=by, at=at, masked=masked)
    return step_run


# --- What the step clocks and the owner's timeline need ----------------------------------


def _step_params(step_run, by) -> dict:
    return {"playbook": step_run.run.playbook.name, "run": step_run.run_id,
            "step": step_run.pk, "position": step_run.position, "title": step_run.step.title,
            "by_name": _name(by)}


def owner_timeline_add(obj, event, params, *, by, at=None, masked=0):
    """A typed entry (``playbooks/timeline_events.py``) on the item's timeline, through
    the kernel: no app is named here."""
    return work_items.timeline_add(obj, events.TIMELINE_KIND, event=event, params=params,
                                   by=by, at=at, masked=masked)


def step_responsible_people(step_run) -> list:
    """Who hears that a step is due or overdue: the people working the item (its
    work-item type's people: an incident's roles, an escalation's owner) who hold the
    step's role; without one, all of them."""
    people = work_items.responsible_people(step_run.run.owner)
    role = step_run.step.responsible_role
    if role and role != Role.MANAGER:
        in_role = [person for person in people if person.groups.filter(name=role).exists()]
        people = in_role or people
    unique = {person.pk: person for person in people}
    return list(unique.values())
