"""The vendor card on incident and escalation pages: attributing the work item to a
vendor (the join downtime is derived from), and removing that attribution.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from core import web_forms, work_items

from .. import services
from ..forms import AttributionForm, ReasonForm
from ..models import VendorAttribution
from ..selectors import attributions_for


def attribution_card(request, obj, forms):
    """The "Vendors" card: the vendors named, their NOC and escalation contacts to call,
    and adding or removing vendors for people who may."""
    attributions = attributions_for(obj)
    can_attribute = services.may_attribute(request.user, obj)
    named = {a.vendor_id for a in attributions}
    card = {
        "attributions": attributions,
        "can_attribute": can_attribute,
        "can_read_vendors": request.user.has_perm("vendors.view_vendor"),
        "form": forms("vendor-attribution", AttributionForm) if can_attribute else None,
        "remove_form": forms("vendor-attribution-remove", ReasonForm),
        "kind": "incident" if obj._meta.label_lower == "incidents.incident" else "escalation",
        "named": named,
    }
    return {"vendor_card": card, "work_item": obj}


def _work_item(request, kind, pk):
    """The incident or escalation the card is on, if the user may read it."""
    target = work_items.get_work_item(kind, pk)
    if not work_items.may_view(request.user, target):
        raise PermissionDenied(f"Your role cannot see this {kind}.")
    return target


@require_POST
@login_required
def attribution_add(request, kind, object_pk):
    target = _work_item(request, kind, object_pk)
    form = web_forms.bind(request, AttributionForm, "vendor-attribution")
    return web_forms.submit(
        request, target, form, key="vendor-attribution",
        run=lambda data: services.attribution_add(
            vendor=data["vendor"], contract=data["contract"], reason=data["reason"],
            by=request.user, **{kind: target}),
        done="vendor named", anchor="#vendors", labels={})


@require_POST
@login_required
def attribution_remove(request, pk):
    attribution = get_object_or_404(VendorAttribution.objects.select_related(
        "vendor", "incident", "escalation"), pk=pk)
    target = attribution.incident or attribution.escalation
    if not work_items.may_view(request.user, target):
        raise PermissionDenied("Your role cannot see this.")
    form = web_forms.bind(request, ReasonForm, "vendor-attribution-remove")
    return web_forms.submit(
        request, target, form, key="vendor-attribution-remove",
        run=lambda data: services.attribution_remove(attribution=attribution, by=request.user),
        done=f"{attribution.vendor.name} no longer named", anchor="#vendors", labels={})
