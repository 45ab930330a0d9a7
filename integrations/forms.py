"""Integration web forms: they parse; the services decide (and name the field)."""

import json
from datetime import timedelta

from django import forms

from core.forms import ServiceForm
from core.models import Team
from incidents.models import Channel

from .choices import AlertSeverity, AutoResolvePolicy, IntegrationKind


class IntegrationForm(ServiceForm):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=IntegrationKind.choices, label="Format")
    channel = forms.ModelChoiceField(queryset=Channel.objects.filter(active=True),
                                     required=False, empty_label="None",
                                     help_text="The channel its incidents affect.")
    team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"), required=False,
                                  empty_label="None",
                                  help_text="Its lead commands the incidents opened, so "
                                            "they can be contained automatically.")
    vendor = forms.ModelChoiceField(queryset=None, required=False, empty_label="None",
                                    help_text="Incidents opened are attributed to it.")
    default_severity = forms.ChoiceField(choices=AlertSeverity.choices,
                                         initial=AlertSeverity.MEDIUM,
                                         help_text="When the source's severity is not mapped.")
    severity_map = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text='JSON, source severity → critical/high/medium/low/info, e.g. '
                  '{"warning": "high"}. Empty: the format\'s defaults.')
    group_by_label = forms.CharField(max_length=100, required=False,
                                     help_text="Group by this label instead of the source's "
                                               "group key (e.g. service).")
    auto_resolve = forms.ChoiceField(choices=AutoResolvePolicy.choices,
                                     initial=AutoResolvePolicy.CONTAIN,
                                     label="When the source resolves")
    flap_minutes = forms.IntegerField(min_value=0, max_value=7 * 24 * 60, initial=30,
                                      label="Flap window (minutes)")
    hmac_secret = forms.CharField(max_length=128, required=False, label="HMAC secret",
                                  help_text="Optional: requests must then be signed.")
    poll_url = forms.URLField(required=False, assume_scheme="https", label="Status page URL",
                              help_text="Statuspage only: polled when polling is on.")
    poll_enabled = forms.BooleanField(required=False, label="Poll the status page")
    poll_minutes = forms.IntegerField(min_value=1, max_value=24 * 60, initial=5,
                                      label="Poll every (minutes)")
    enabled = forms.BooleanField(required=False, initial=True)

    error_fields = {"flap_window": "flap_minutes", "poll_interval": "poll_minutes"}

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        from vendors.models import Vendor

        self.fields["vendor"].queryset = Vendor.objects.order_by("name")
        if editing:
            del self.fields["kind"]  # the format is fixed: senders are configured for it

    def clean_severity_map(self):
        raw = (self.cleaned_data.get("severity_map") or "").strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise forms.ValidationError("Write a JSON object, e.g. {\"warning\": \"high\"}.")\
                from None
        if not isinstance(value, dict):
            raise forms.ValidationError("Write a JSON object, e.g. {\"warning\": \"high\"}.")
        return value

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["flap_window"] = timedelta(minutes=data.pop("flap_minutes"))
        data["poll_interval"] = timedelta(minutes=data.pop("poll_minutes"))
        return data

    @staticmethod
    def initial_for(integration) -> dict:
        return {"name": integration.name, "channel": integration.channel_id,
                "team": integration.team_id, "vendor": integration.vendor_id,
                "default_severity": integration.default_severity,
                "severity_map": json.dumps(integration.severity_map)
                if integration.severity_map else "",
                "group_by_label": integration.group_by_label,
                "auto_resolve": integration.auto_resolve,
                "flap_minutes": int(integration.flap_window.total_seconds() // 60),
                "hmac_secret": integration.hmac_secret, "poll_url": integration.poll_url,
                "poll_enabled": integration.poll_enabled,
                "poll_minutes": int(integration.poll_interval.total_seconds() // 60),
                "enabled": integration.enabled}
