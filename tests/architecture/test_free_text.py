"""Every free-text field of every model masks card numbers: no model can forget.

A new CharField or TextField that people may type into fails this test until it is
a ``core.fields.FreeCharField``/``FreeTextField``, or is listed below as a
structured value with the reason it can never hold a card number.
"""

import pytest
from django.apps import apps
from django.db import models

from core.fields import FreeCharField, FreeTextField

# The apps whose models hold what people type (Django's own and third-party apps
# store identifiers, hashes and sessions, not free text).
SWITCHBOARD_APPS = {"core", "incidents", "escalations", "vendors", "playbooks", "budgets",
                    "reports", "kpis", "integrations", "webhooks"}

# "app.Model.field": why it is not free text.
STRUCTURED = {
    "core.BusinessCalendar.time_zone": "an IANA zone name, validated",
    "core.HolidayFeed.country": "an ISO country code, validated",
    "core.HolidayFeed.subdivision": "a subdivision code, validated",
    "core.SlaClock.kind": "a registered clock kind key",
    "core.Notification.url": "a path inside Switchboard, built by code",
    "core.ReferenceCounter.series": "a reference series, built by code",
    "core.WorkerHeartbeat.name": "a fixed key",
    "core.WorkerHeartbeat.hostname": "the worker's host name",
    "core.CardNumberMasking.object_id": "a primary key",
    "core.CardNumberMasking.field_name": "a field name",
    "incidents.Severity.key": "a short key such as SEV1, validated",
    "incidents.Severity.colour": "a #rrggbb colour, validated",
    "incidents.Incident.reference": "allocated by core.references",
    "escalations.Escalation.reference": "allocated by core.references",
    "escalations.Customer.account_reference": "the customer's account identifier, "
                                              "matched exactly (never a card: erasure "
                                              "and lookups depend on it as typed)",
    "escalations.Customer.phone": "a phone number (personal data, erasable)",
    "playbooks.AttachRule.category": "an escalation category key",
    "playbooks.StepRun.file": "a stored file's name (its history keeps it as text)",
    "playbooks.AttachRule.customer_tier": "a customer tier key",
    "vendors.Contract.reference": "allocated by core.references, or the contract's own "
                                  "number as signed (matched exactly)",
    "vendors.Contract.currency": "an ISO 4217 code from the SWITCHBOARD_CURRENCY setting",
    "vendors.ContractDocument.file": "a stored file's name (its history keeps it as text)",
    "vendors.VendorContact.phone": "a switchboard or NOC phone number",
    "vendors.Compliance.currency": "copied from its contract's ISO 4217 code",
    "vendors.ServiceCredit.currency": "copied from its contract's ISO 4217 code",
    "budgets.FiscalYear.name": "built by code from the year it ends in (FY2027)",
    "budgets.CostCenter.code": "the cost center's code, matched exactly (spend imports name "
                               "budgets by it)",
    "budgets.Initiative.reference": "allocated by core.references",
    "budgets.CostRate.channel": "a queue channel key, validated by the service",
    **{f"budgets.{model}.currency": "an ISO 4217 code from the SWITCHBOARD_CURRENCY setting"
       for model in ("Budget", "SpendEntry", "Initiative", "BenefitRecord", "CostRate",
                     "IncidentCost")},
    "reports.ReportPack.data_version": "a hash of the data, built by code",
    **{f"reports.ReportPack.{name}": "a stored file's name (its history keeps it as text)"
       for name in ("html", "pdf", "xlsx", "csv_zip")},
    "integrations.Integration.token_hash": "a SHA-256 hex digest, built by code",
    "integrations.Integration.token_hint": "the last characters of a generated token",
    "integrations.Integration.hmac_secret": "a shared secret, compared byte for byte",
    "webhooks.WebhookSubscription.secret": "a generated signing secret (whsec_ + base64)",
    "webhooks.WebhookSubscription.previous_secret": "a generated signing secret",
    "webhooks.WebhookDelivery.event_id": "a generated message id (msg_ + hex)",
    "webhooks.WebhookDelivery.event_type": "a registered event type code",
    "kpis.IntervalImport.upload": "a stored file's name (its history keeps it as text)",
    "kpis.QueueDay.zone": "an IANA zone name from the KPI_ROLLUP_ZONES setting",
}


def _text_fields():
    for model in apps.get_models():
        if model._meta.app_label not in SWITCHBOARD_APPS:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField):
                continue
            if field.choices or isinstance(field, models.SlugField | models.EmailField
                                                  | models.URLField):
                continue  # a closed set of values, or a validated format
            yield model, field


def _label(model, field):
    # Historical twins share their model's rules: HistoricalIncident.title → Incident.
    instance = getattr(model, "instance_type", None)  # set by simple-history
    owner = instance if instance is not None else model
    return f"{owner._meta.label}.{field.name}"


def test_every_free_text_field_masks_card_numbers():
    unguarded = sorted(
        _label(model, field) for model, field in _text_fields()
        if not isinstance(field, FreeCharField | FreeTextField)
        and _label(model, field) not in STRUCTURED
    )
    assert unguarded == [], (
        "Free-text fields that would store a card number: make them "
        "core.fields.FreeCharField/FreeTextField, or list them in STRUCTURED with why."
    )


def test_every_history_change_reason_masks_card_numbers():
    reasons = [model for model in apps.get_models()
               if model._meta.app_label in SWITCHBOARD_APPS
               and any(f.name == "history_change_reason" for f in model._meta.fields)]
    assert reasons, "no historical model found"
    plain = [m._meta.label for m in reasons
             if not isinstance(m._meta.get_field("history_change_reason"), FreeTextField)]
    assert plain == [], "use core.audit.History() instead of HistoricalRecords()"


@pytest.mark.parametrize("entry", sorted(STRUCTURED))
def test_every_structured_exemption_names_a_real_field(entry):
    app_label, model_name, field_name = entry.split(".")
    model = apps.get_model(app_label, model_name)
    assert model._meta.get_field(field_name)
