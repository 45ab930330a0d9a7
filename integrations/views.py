"""The Integrations pages: the list with per-integration stats, create/edit (showing the
intake URL once), test alerts, and the alerts list and alert page. Views parse, call a
service, render."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.web_forms import filter_bar, page_reader

from . import selectors, services
from .choices import IntegrationKind
from .forms import IntegrationForm
from .models import Alert, Integration

READ = "integrations.view_integration"
MANAGE = "integrations.change_integration"


def _intake_url(request, integration, token=None):
    """The URL senders post to; the token only right after it was made (it is not
    stored), a placeholder otherwise."""
    shown = token or f"<token ending {integration.token_hint}>"
    if integration.kind == IntegrationKind.PAGERDUTY and token is None:
        return request.build_absolute_uri(reverse("integration-pagerduty-enqueue"))
    return request.build_absolute_uri(reverse("integration-intake", args=["TOKEN"])).replace(
        "TOKEN", shown)


def _example_curl(url, integration, token=None):
    payload = services.sample_alert_payload(integration, by=_Nobody())
    if integration.kind == IntegrationKind.PAGERDUTY:
        payload["routing_key"] = token or "<token>"
    return (f"curl -X POST '{url}' \\\n  -H 'Content-Type: application/json' \\\n"
            f"  -d '{json.dumps(payload)}'")


class _Nobody:
    @staticmethod
    def get_username():
        return "curl"


@page_reader(READ)
def integration_list(request):
    return render(request, "integrations/index.html", {
        "integrations": selectors.integrations_with_stats(),
        "can_manage": request.user.has_perm("integrations.manage_integration")})


def _apply_errors(form, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    form.add_service_errors(errors)


@page_reader(MANAGE)
def integration_create(request):
    form = IntegrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            integration, token = services.integration_create(by=request.user, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Integration created. Copy its URL now: the token is "
                                      "not shown again.")
            return _show_token_once(request, integration, token)
    return render(request, "integrations/form.html", {"form": form},
                  status=400 if form.is_bound else 200)


@page_reader(MANAGE)
def integration_edit(request, pk):
    integration = get_object_or_404(Integration, pk=pk)
    form = IntegrationForm(request.POST or None, editing=True,
                           initial=IntegrationForm.initial_for(integration))
    if request.method == "POST" and form.is_valid():
        try:
            services.integration_update(integration=integration, by=request.user,
                                        **form.service_fields())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(integration)
    return render(request, "integrations/form.html", {"form": form, "integration": integration},
                  status=400 if form.is_bound else 200)


def _token_key(integration):
    return f"integration-token-{integration.pk}"


def _show_token_once(request, integration, token):
    """Post/redirect/get: the new token rides in the session to the next page view of
    the integration, which takes it out — a reload or the back button cannot post the
    form again, and the token is shown once."""
    request.session[_token_key(integration)] = token
    return redirect(integration)


def _detail(request, integration, *, token=None, status=200):
    url = _intake_url(request, integration, token)
    return render(request, "integrations/detail.html", {
        "integration": integration, "token": token, "intake_url": url,
        "curl": _example_curl(url, integration, token),
        "alerts": selectors.integration_recent_alerts(integration),
        "history": integration.history.select_related("history_user")[:10],
        "can_manage": request.user.has_perm("integrations.manage_integration"),
        "can_test": request.user.has_perm("integrations.send_test_alert", integration),
    }, status=status)


@page_reader(READ)
def integration_detail(request, pk):
    integration = get_object_or_404(
        Integration.objects.select_related("channel", "team", "vendor"), pk=pk)
    token = request.session.pop(_token_key(integration), None)
    return _detail(request, integration, token=token)


@require_POST
@page_reader(MANAGE)
def integration_rotate(request, pk):
    integration = get_object_or_404(Integration, pk=pk)
    integration, token = services.integration_rotate_token(integration=integration,
                                                           by=request.user)
    messages.success(request, "New token made: the old URL no longer works. Copy the new "
                              "one now.")
    return _show_token_once(request, integration, token)


@require_POST
@page_reader(MANAGE)
def integration_toggle(request, pk):
    integration = get_object_or_404(Integration, pk=pk)
    services.integration_set_enabled(integration=integration, by=request.user,
                                     enabled=not integration.enabled)
    messages.success(request, "Enabled." if not integration.enabled else "Disabled.")
    return redirect(integration)


@require_POST
@page_reader(READ)
def integration_test(request, pk):
    integration = get_object_or_404(Integration, pk=pk)
    try:
        services.send_test_alert(integration=integration, by=request.user)
    except services.IntegrationGone as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Test alert sent through the intake path; it appears "
                                  "below once processed.")
    return redirect(integration)


@page_reader("integrations.view_alert")
def alert_list(request):
    filterset = selectors.alerts_filtered(request.GET)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "integrations/alert_list.html", {
        "form": filterset.form, "fields": filter_bar(filterset.form),
        "page": page, "alerts": page.object_list,
        "filtered": any(v for k, v in request.GET.items() if k != "page")})


@page_reader("integrations.view_alert")
def alert_detail(request, pk):
    alert = get_object_or_404(Alert.objects.select_related("integration", "group__incident"),
                              pk=pk)
    events = selectors.alert_events(alert)
    for event in events:
        # The payload as the source sent it (JSON), not as Python prints it.
        event.pretty = json.dumps(event.payload, indent=2, sort_keys=True, ensure_ascii=False)
    return render(request, "integrations/alert_detail.html", {
        "alert": alert, "events": events,
        "group": alert.group, "incident": alert.group.incident})
