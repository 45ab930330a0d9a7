"""Forms of the SLA pages: they parse; ``vendors/sla_services.py`` decides."""

from django import forms

from core.forms import DATE_WIDGET, ServiceForm

from .choices import (
    AbandonTreatment,
    BandKind,
    ClaimWindowFrom,
    Comparator,
    CreditLedgerFilter,
    CreditPayment,
    ExclusionKind,
    MeasurementPeriod,
    MeasurementSource,
    MinimumRule,
    SlaMetric,
    UptimeFormula,
)

BAND_ROWS = 6
FIGURE = {"required": False, "max_digits": 16, "decimal_places": 4}


class ObjectiveForm(ServiceForm):
    """The objective editor: the objective, its metric options and its credit schedule
    (up to six bands), every public vendor shape without code."""

    name = forms.CharField(max_length=120, required=False)
    metric = forms.ChoiceField(choices=SlaMetric.choices)
    comparator = forms.ChoiceField(choices=Comparator.choices)
    target = forms.DecimalField(**FIGURE)
    period = forms.ChoiceField(choices=MeasurementPeriod.choices,
                               initial=MeasurementPeriod.MONTH)
    effective_from = forms.DateField(required=False, widget=DATE_WIDGET,
                                     help_text="Empty: the contract's start.")
    uptime_formula = forms.ChoiceField(choices=UptimeFormula.choices)
    excluded_kinds = forms.MultipleChoiceField(
        choices=ExclusionKind.choices, required=False, widget=forms.CheckboxSelectMultiple,
        initial=list(ExclusionKind.values), label="Exclusions that count")
    maintenance_notice_days = forms.IntegerField(
        required=False, min_value=0, max_value=365,
        label="Maintenance excluded when announced at least (days)")
    queue_ids = forms.CharField(required=False, label="Queue ids covered",
                                help_text="Comma-separated, for contact metrics.")
    threshold_seconds = forms.IntegerField(required=False, min_value=0, max_value=100000,
                                           label="Service level threshold (s)")
    abandon_treatment = forms.ChoiceField(choices=[("", "—"), *AbandonTreatment.choices],
                                          required=False)
    short_abandon_seconds = forms.IntegerField(required=False, min_value=0, max_value=100000)
    min_presented_seconds = forms.IntegerField(required=False, min_value=0, max_value=100000,
                                               label="Abandoned only after (s)")
    interval_target = forms.DecimalField(
        required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2,
        label="Judged per interval: each must reach (%)",
        help_text="Service level or abandon rate judged interval by interval: the target "
                  "is then the share of intervals that reached this (80/20 in 90 % of "
                  "half-hours).")
    priority = forms.CharField(required=False, max_length=20,
                               help_text="Vendor support times: the ticket priority.")
    tolerance = forms.DecimalField(**FIGURE, initial=0)
    weight = forms.DecimalField(required=False, max_digits=6, decimal_places=2, initial=1)
    # The schedule
    fee_lines = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                          label="Fee base (none: every recurring line)")
    duration_per_outage = forms.BooleanField(required=False, initial=True,
                                             label="Duration bands per outage")
    minimum_amount = forms.DecimalField(required=False, max_digits=14, decimal_places=2,
                                        initial=0)
    minimum_rule = forms.ChoiceField(choices=MinimumRule.choices)
    cap_percent = forms.DecimalField(**FIGURE)
    cap_amount = forms.DecimalField(required=False, max_digits=14, decimal_places=2)
    claim_window_days = forms.IntegerField(min_value=1, max_value=365, initial=30)
    claim_window_from = forms.ChoiceField(choices=ClaimWindowFrom.choices)
    payment = forms.ChoiceField(choices=CreditPayment.choices)
    earn_back_periods = forms.IntegerField(required=False, min_value=1, max_value=12)
    # The worked example
    example_value = forms.DecimalField(**FIGURE, label="Example: measured value")
    example_outages = forms.CharField(required=False, label="Example: outage minutes",
                                      help_text="Comma-separated, for duration bands.")

    def __init__(self, *args, contract=None, **kwargs):
        super().__init__(*args, **kwargs)
        lines = list(contract.fee_lines.all()) if contract else []
        self.fields["fee_lines"].choices = [(str(line.pk), f"{line.name}"
                                             + (" (one-time)" if line.kind == "one_time" else ""))
                                            for line in lines]
        for row in range(BAND_ROWS):
            self.fields[f"band_{row}_kind"] = forms.ChoiceField(
                choices=BandKind.choices, required=False, label="Kind")
            self.fields[f"band_{row}_lower"] = forms.DecimalField(**FIGURE, label="From (≥)")
            self.fields[f"band_{row}_upper"] = forms.DecimalField(**FIGURE, label="Below (<)")
            self.fields[f"band_{row}_percent"] = forms.DecimalField(**FIGURE, label="Credit %")

    def band_rows(self):
        return [[self[f"band_{row}_{part}"] for part in ("kind", "lower", "upper", "percent")]
                for row in range(BAND_ROWS)]

    def service_arguments(self):
        """``(objective fields, schedule dict, effective_from)`` for the service."""
        data = self.cleaned_data
        options = {key: data[key] for key in ("threshold_seconds", "short_abandon_seconds",
                                              "min_presented_seconds",
                                              "maintenance_notice_days")
                   if data.get(key) is not None}
        if data.get("abandon_treatment"):
            options["abandon_treatment"] = data["abandon_treatment"]
        if data.get("priority"):
            options["priority"] = data["priority"].strip()
        if data.get("interval_target") is not None:
            options["interval_target"] = str(data["interval_target"])
        queues = []
        for part in (data.get("queue_ids") or "").split(","):
            part = part.strip()
            if part:
                queues.append(int(part) if part.isascii() and part.isdigit() else part)
        fields = {"name": data.get("name") or "", "metric": data["metric"],
                  "comparator": data["comparator"], "target": data.get("target"),
                  "period": data["period"], "uptime_formula": data["uptime_formula"],
                  "excluded_kinds": list(data.get("excluded_kinds") or []),
                  "queue_ids": queues, "options": options,
                  "tolerance": data.get("tolerance") if data.get("tolerance") is not None else 0,
                  "weight": data.get("weight") if data.get("weight") is not None else 1}
        bands = []
        for row in range(BAND_ROWS):
            percent = data.get(f"band_{row}_percent")
            lower, upper = data.get(f"band_{row}_lower"), data.get(f"band_{row}_upper")
            if percent is None and lower is None and upper is None:
                continue
            bands.append({"kind": data.get(f"band_{row}_kind") or BandKind.VALUE,
                          "lower": lower, "upper": upper, "percent": percent})
        schedule = {"bands": bands, "fee_lines": [int(pk) for pk in data.get("fee_lines") or []],
                    "duration_per_outage": bool(data.get("duration_per_outage")),
                    "minimum_amount": data.get("minimum_amount") or 0,
                    "minimum_rule": data["minimum_rule"], "cap_percent": data.get("cap_percent"),
                    "cap_amount": data.get("cap_amount"),
                    "claim_window_days": data["claim_window_days"],
                    "claim_window_from": data["claim_window_from"], "payment": data["payment"],
                    "earn_back_periods": data.get("earn_back_periods")}
        return fields, schedule, data.get("effective_from")


def initial_from(objective) -> dict:
    """The editor filled with an objective version's terms (to revise it)."""
    schedule = objective.schedule
    initial = {name: getattr(objective, name) for name in (
        "name", "metric", "comparator", "target", "period", "uptime_formula",
        "excluded_kinds", "tolerance", "weight")}
    initial.update({key: value for key, value in (objective.options or {}).items()})
    initial["queue_ids"] = ", ".join(str(q) for q in objective.queue_ids or [])
    initial.update({name: getattr(schedule, name) for name in (
        "duration_per_outage", "minimum_amount", "minimum_rule", "cap_percent", "cap_amount",
        "claim_window_days", "claim_window_from", "payment", "earn_back_periods")})
    initial["fee_lines"] = [str(pk) for pk in schedule.fee_lines.values_list("pk", flat=True)]
    for row, band in enumerate(schedule.bands.all()[:BAND_ROWS]):
        initial.update({f"band_{row}_kind": band.kind, f"band_{row}_lower": band.lower,
                        f"band_{row}_upper": band.upper, f"band_{row}_percent": band.percent})
    return initial


class MeasurementForm(ServiceForm):
    period_start = forms.DateField(widget=DATE_WIDGET, label="Period starting")
    value = forms.CharField(max_length=40)
    source = forms.ChoiceField(choices=MeasurementSource.choices,
                               initial=MeasurementSource.VENDOR)
    detail = forms.CharField(required=False, max_length=500, label="Source or note")


class ImportForm(ServiceForm):
    file = forms.FileField(help_text="CSV or XLSX: objective, period_start, value[, detail]")


class ClaimForm(ServiceForm):
    amount = forms.CharField(required=False, max_length=20,
                             help_text="Empty: the amount due.")
    note = forms.CharField(required=False, max_length=300)
    error_fields = {"claimed_amount": "amount"}


class AcceptForm(ServiceForm):
    agreed_amount = forms.CharField(required=False, max_length=20,
                                    help_text="Empty: as claimed. Less: a partial acceptance.")


class DisputeForm(ServiceForm):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    error_fields = {"dispute_reason": "reason"}


class ReclaimForm(ServiceForm):
    counter_amount = forms.CharField(required=False, max_length=20, label="Counter-figure")
    note = forms.CharField(required=False, max_length=300)
    error_fields = {"claimed_amount": "counter_amount"}


class ReceiveForm(ServiceForm):
    amount = forms.CharField(required=False, max_length=20, help_text="Empty: as agreed.")
    reference = forms.CharField(required=False, max_length=120,
                                label="Credit note or refund reference")
    error_fields = {"received_amount": "amount"}


class WaiveForm(ServiceForm):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    error_fields = {"waive_reason": "reason"}


class DisputeFigureForm(ServiceForm):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LedgerFilterForm(forms.Form):
    show = forms.ChoiceField(choices=[("", "All"), *CreditLedgerFilter.choices], required=False)
    vendor = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                widget=forms.HiddenInput)
