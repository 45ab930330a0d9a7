"""The Webhooks pages: subscriptions, their delivery log, one delivery with its
attempts. Views parse, call a service, render; managers only (``rules.py``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.web_forms import page_reader, validation_errors

from . import customer_updates, selectors, services
from .delivery import body_bytes
from .forms import DeliveryFilterForm, OptInForm, SubscriptionForm
from .models import WebhookDelivery, WebhookSubscription

MANAGE = "webhooks.manage"


@page_reader(MANAGE)
def index(request):
    return render(request, "webhooks/index.html", {
        "subscriptions": selectors.subscriptions_with_stats(),
        "event_types": selectors.event_catalogue(),
        "customer_emails": selectors.recent_customer_emails()})


def _form(request, subscription=None):
    can_private = request.user.has_perm("webhooks.allow_private_addresses")
    if request.method == "POST":
        return SubscriptionForm(request.POST, can_allow_private=can_private)
    initial = {"enabled": True}
    if subscription is not None:
        initial = {name: getattr(subscription, name) for name in services.EDITABLE
                   if name != "owner"}
    return SubscriptionForm(initial=initial, can_allow_private=can_private)


def _save(request, form, run):
    """Validate, call the service, put its refusal next to the field it names."""
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    if form.fields["allow_private_addresses"].disabled:
        data.pop("allow_private_addresses")
    try:
        return run(data)
    except ValidationError as exc:
        form.add_service_errors(validation_errors(exc))
    return None


@page_reader(MANAGE)
def subscription_new(request):
    form = _form(request)
    if request.method == "POST":
        subscription = _save(request, form, lambda data: services.subscription_create(
            by=request.user, **data))
        if subscription:
            messages.success(request, "Subscription created. Copy the signing secret now: "
                                      "it is not shown again.")
            return _show_secret_once(request, subscription)
    return render(request, "webhooks/subscription_form.html", {"form": form},
                  status=400 if form.is_bound else 200)


@page_reader(MANAGE)
def subscription_edit(request, pk):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    form = _form(request, subscription)
    if request.method == "POST":
        saved = _save(request, form, lambda data: services.subscription_update(
            subscription=subscription, by=request.user, **data))
        if saved:
            messages.success(request, "Subscription saved.")
            return redirect(saved)
    return render(request, "webhooks/subscription_form.html",
                  {"form": form, "subscription": subscription},
                  status=400 if form.is_bound else 200)


def _secret_key(subscription):
    return f"webhooks.new_secret.{subscription.pk}"


def _show_secret_once(request, subscription):
    """Redirect to the subscription's page, which shows the new secret on its next
    load only (kept in the session until then, so a reload cannot re-post a form)."""
    request.session[_secret_key(subscription)] = subscription.secret
    return redirect(subscription)


def _subscription_context(request, subscription, new_secret=None):
    filters = DeliveryFilterForm(request.GET or None)
    deliveries = selectors.deliveries(
        subscription=subscription,
        **(filters.cleaned_data if filters.is_valid() else {}))
    return {"subscription": subscription, "new_secret": new_secret, "filters": filters,
            "deliveries": deliveries[:100], "counts": selectors.delivery_counts(subscription),
            "history": list(subscription.history.select_related("history_user")[:10])}


@page_reader(MANAGE)
def subscription_detail(request, pk):
    subscription = get_object_or_404(WebhookSubscription.objects.select_related("owner"), pk=pk)
    new_secret = request.session.pop(_secret_key(subscription), None)
    if new_secret != subscription.secret:
        new_secret = None  # rotated again meanwhile: never show a stale secret
    return render(request, "webhooks/subscription.html",
                  _subscription_context(request, subscription, new_secret=new_secret))


@require_POST
@page_reader(MANAGE)
def subscription_action(request, pk, action):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    by = request.user
    if action == "rotate":
        subscription = services.subscription_rotate_secret(subscription=subscription, by=by)
        messages.success(request, "New signing secret. The previous one keeps signing for a "
                                  "grace period; copy this one now: it is not shown again.")
        return _show_secret_once(request, subscription)
    if action == "test":
        delivery = services.subscription_send_test(subscription=subscription, by=by)
        messages.success(request, "Test event queued.")
        return redirect(delivery)
    if action in ("enable", "disable"):
        services.subscription_update(subscription=subscription, by=by,
                                     enabled=action == "enable")
        messages.success(request, f"Subscription {action}d.")
        return redirect(subscription)
    if action == "delete":
        services.subscription_delete(subscription=subscription, by=by)
        messages.success(request, "Subscription deleted.")
        return redirect("webhooks:index")
    raise PermissionDenied("Unknown action.")


@page_reader(MANAGE)
def delivery_detail(request, pk):
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("subscription"), pk=pk)
    return render(request, "webhooks/delivery.html", {
        "delivery": delivery, "subscription": delivery.subscription,
        "body": body_bytes(delivery).decode(),
        "attempts": list(delivery.attempt_log.all()),
        "replay_refusal": services.why_not_replay(request.user, delivery),
        "description": services.describe_event_type(delivery.event_type)})


@require_POST
@page_reader(MANAGE)
def delivery_replay(request, pk):
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    try:
        services.delivery_replay(delivery=delivery, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Replay queued: the same webhook-id, freshly signed.")
    return redirect(delivery)


@require_POST
@page_reader("webhooks.manage_customer_updates")
def customer_opt_in(request, customer_pk, action):
    from escalations.models import Customer

    customer = get_object_or_404(Customer, pk=customer_pk)
    form = OptInForm(request.POST)
    try:
        if action == "in":
            note = form.cleaned_data["note"] if form.is_valid() else ""
            customer_updates.customer_opt_in(customer=customer, by=request.user, note=note)
            messages.success(request, "The customer will receive customer-facing status "
                                      "updates of linked incidents by email.")
        elif action == "out":
            customer_updates.customer_opt_out(customer=customer, by=request.user)
            messages.success(request, "The customer will no longer receive status updates.")
        else:
            raise PermissionDenied("Unknown action.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(customer)


@csrf_exempt  # the signed token authenticates; a mail client's RFC 8058 POST has no CSRF token
def customer_unsubscribe(request, token):
    """The link in every customer status email: no login. GET shows one button (mail
    scanners fetch links); POST — the button, or the mail client's one-click — stops
    the emails. Answers the page itself, never a redirect (RFC 8058)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        customer_updates.customer_for_unsubscribe_token(token)
        if request.method == "POST":
            was_subscribed = customer_updates.customer_unsubscribe(token=token)
            return render(request, "webhooks/unsubscribe.html",
                          {"done": True, "was_subscribed": was_subscribed})
    except customer_updates.UnsubscribeLinkInvalid:
        return render(request, "webhooks/unsubscribe.html", {"invalid": True}, status=400)
    return render(request, "webhooks/unsubscribe.html", {"token": token})
