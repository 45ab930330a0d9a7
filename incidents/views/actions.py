"""Working the incident from its page: transitions, severity, talk track, notes,
pins, status updates, roles."""


from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from .. import services
from ..choices import IncidentRole
from ..forms import (
    CorrectTimestampForm,
    NoteForm,
    PinForm,
    RoleForm,
    SeverityForm,
    StatusUpdateForm,
    TalkTrackForm,
)
from ..models import Incident, TimelineEvent
from .common import reader
from .page import answer, bind
from .steps import STEPS


@require_POST
@reader
def incident_transition(request, pk, name):
    step = STEPS.get(name)
    if step is None:
        raise Http404("No such transition.")
    incident = get_object_or_404(Incident, pk=pk)
    return answer(
        request, incident, bind(request, step.form, name), key=name,
        run=lambda data: step.run(incident, request.user, data), done=step.done,
    )


@require_POST
@reader
def incident_change_severity(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    return answer(
        request, incident, bind(request, SeverityForm, "severity"), key="severity",
        run=lambda data: services.incident_change_severity(
            incident=incident, by=request.user, severity=data["severity"], reason=data["reason"]),
        done="severity changed",
    )


@require_POST
@reader
def incident_correct_timestamp(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    return answer(
        request, incident, bind(request, CorrectTimestampForm, "correct"), key="correct",
        run=lambda data: services.incident_correct_timestamp(
            incident=incident, by=request.user, field=data["field"], value=data["value"],
            reason=data["reason"]),
        done="stage time corrected", anchor="#details",
    )


@require_POST
@reader
def incident_talk_track(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    return answer(
        request, incident, bind(request, TalkTrackForm, "talk-track"), key="talk-track",
        run=lambda data: services.incident_edit(incident=incident, by=request.user,
                                                talk_track=data["talk_track"]),
        done="talk track updated", anchor="#talk-track",
    )


@require_POST
@reader
def incident_add_note(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    return answer(
        request, incident, bind(request, NoteForm, "note"), key="note",
        run=lambda data: services.incident_add_note(incident=incident, by=request.user,
                                                    text=data["text"], pinned=data["pinned"]),
        done="note added", anchor="#timeline",
    )


@require_POST
@reader
def timeline_pin(request, pk, event_pk):
    incident = get_object_or_404(Incident, pk=pk)
    event = get_object_or_404(TimelineEvent, pk=event_pk, incident=incident)
    return answer(
        request, incident, bind(request, PinForm, "timeline"), key="timeline",
        run=lambda data: services.timeline_pin(event=event, by=request.user,
                                               pinned=data["pinned"]),
        done="note pinned" if request.POST.get("pinned") else "note unpinned",
        anchor="#timeline",
    )


@require_POST
@reader
def status_update_post(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    return answer(
        request, incident, bind(request, StatusUpdateForm, "update"), key="update",
        run=lambda data: services.status_update_post(
            incident=incident, by=request.user, audience=data["audience"], body=data["body"],
            channels=data["channels"]),
        done="status update posted", anchor="#status-updates",
    )


@require_POST
@reader
def incident_assign_role(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    role = request.POST.get("role", "")
    known = role in IncidentRole.values
    key = f"role-{role}" if known else "role"
    return answer(
        request, incident, bind(request, RoleForm, key), key=key,
        run=lambda data: services.incident_assign_role(
            incident=incident, by=request.user, role=data["role"], user=data["user"]),
        done=f"{IncidentRole(role).label.lower() if known else 'role'} changed", anchor="#roles",
    )
