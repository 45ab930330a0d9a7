"""Action items on the incident page, and "my action items"."""


from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from core.clocks import active_clocks_by_owner
from core.forms import ConfirmForm
from core.presentation import chip_colour

from .. import services
from ..forms import (
    ActionItemEditForm,
    ActionItemForm,
    DeclineForm,
)
from ..models import ActionItem, Incident
from .common import reader
from .page import action_item_moves, answer, bind
from .steps import ACTION_ITEM_LABELS


@require_POST
@reader
def action_item_create(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    return answer(
        request, incident, bind(request, ActionItemForm, "action-item-new"),
        key="action-item-new",
        run=lambda data: services.action_item_create(incident=incident, by=request.user, **data),
        done="action item added", anchor="#action-items",
    )


@require_POST
@reader
def action_item_update(request, pk, item_pk):
    item = get_object_or_404(ActionItem.objects.select_related("incident"), pk=item_pk,
                             incident_id=pk)
    key = f"item-{item.pk}-edit"
    return answer(
        request, item.incident, bind(request, ActionItemEditForm, key), key=key,
        run=lambda data: services.action_item_update(item=item, by=request.user,
                                                     owner=data["owner"],
                                                     due_date=data["due_date"]),
        done="action item changed", anchor="#action-items",
    )


@require_POST
@reader
def action_item_transition(request, pk, item_pk, name):
    if name not in ACTION_ITEM_LABELS:
        raise Http404("No such action item transition.")
    item = get_object_or_404(ActionItem.objects.select_related("incident"), pk=item_pk,
                             incident_id=pk)
    form_class, key = ((DeclineForm, f"item-{item.pk}-decline") if name == "decline"
                       else (ConfirmForm, f"item-{item.pk}-moves"))
    done = {"start": "started", "complete": "done", "decline": "won't be done"}[name]
    return answer(
        request, item.incident, bind(request, form_class, key), key=key,
        run=lambda data: services.action_item_transition(
            item=item, by=request.user, name=name, reason=data.get("reason", "")),
        done=f"action item “{item.title}” {done}", anchor="#action-items",
        labels=ACTION_ITEM_LABELS,
    )


@reader
def my_action_items(request):
    """The signed-in person's open action items, soonest due first."""
    items = list(
        ActionItem.objects.open().filter(owner=request.user)
        .select_related("incident", "incident__severity")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    clocks = active_clocks_by_owner(ActionItem, [item.pk for item in items])
    rows = []
    for item in items:
        item.incident.chip_colour = chip_colour(item.incident.severity)
        rows.append({"object": item, "clocks": clocks.get(item.pk, []),
                     "moves": [m for m in action_item_moves(item, request.user)
                               if m["name"] != "decline"]})
    return render(request, "incidents/my_action_items.html", {"rows": rows})
