"""Web forms: the KPI filters and the import form. They parse; services decide."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from .choices import ImportFormat, QueueChannel
from .models import INTERVAL_LENGTHS, ImportSource, Queue

PERIODS = [("today", "Today"), ("week", "This week"), ("month", "This month"),
           ("last7", "Last 7 days"), ("last30", "Last 30 days"), ("custom", "From – to")]
MAX_RANGE_DAYS = 400


class KpiFilterForm(forms.Form):
    period = forms.ChoiceField(choices=PERIODS, required=False, initial="week")
    start = forms.DateField(required=False, label="From",
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To (inclusive)",
                          widget=forms.DateInput(attrs={"type": "date"}))
    queue = forms.ModelChoiceField(queryset=Queue.objects.all(), required=False)
    channel = forms.ChoiceField(choices=[("", "Any"), *QueueChannel.choices], required=False)
    vendor = forms.ModelChoiceField(queryset=None, required=False)
    site = forms.ChoiceField(choices=[], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from vendors.models import Vendor

        self.fields["vendor"].queryset = Vendor.objects.filter(queues__isnull=False).distinct()
        sites = Queue.objects.exclude(site="").order_by("site").values_list("site", flat=True)
        self.fields["site"].choices = [("", "Any"), *[(s, s) for s in dict.fromkeys(sites)]]

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            if not data.get("start"):
                self.add_error("start", "Choose the first day.")
            if not data.get("end"):
                self.add_error("end", "Choose the last day.")
            if data.get("start") and data.get("end"):
                if data["end"] < data["start"]:
                    self.add_error("end", "The last day is before the first.")
                elif (data["end"] - data["start"]).days > MAX_RANGE_DAYS:
                    self.add_error("end", f"At most {MAX_RANGE_DAYS} days at once.")
        return data

    def window(self, now=None):
        """``(start, end, label)``: aware instants of the chosen period, end exclusive."""
        now = timezone.localtime(now or timezone.now())
        today = now.date()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        period = data.get("period") or "week"
        if period == "today":
            first, last = today, today
        elif period == "month":
            first, last = today.replace(day=1), today
        elif period == "last7":
            first, last = today - timedelta(days=6), today
        elif period == "last30":
            first, last = today - timedelta(days=29), today
        elif period == "custom":
            first, last = data["start"], data["end"]
        else:
            first, last = today - timedelta(days=today.weekday()), today
        zone = timezone.get_current_timezone()
        start = datetime.combine(first, time(), tzinfo=zone)
        end = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)
        return start, end, first, last

    def queues(self):
        queues = Queue.objects.filter(active=True)
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("queue"):
            queues = queues.filter(pk=data["queue"].pk)
        if data.get("channel"):
            queues = queues.filter(channel=data["channel"])
        if data.get("vendor"):
            queues = queues.filter(vendor=data["vendor"])
        if data.get("site"):
            queues = queues.filter(site=data["site"])
        return queues


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8) or XLSX, one row per queue and interval.")
    source = forms.ModelChoiceField(queryset=ImportSource.objects.all(), required=False,
                                    label="Saved mapping",
                                    help_text="Its format, interval, time zone and columns.")
    format = forms.ChoiceField(choices=ImportFormat.choices, initial=ImportFormat.GENERIC,
                               help_text="Ignored when a saved mapping is chosen.")
    interval_minutes = forms.TypedChoiceField(
        choices=[(n, f"{n} minutes") for n in INTERVAL_LENGTHS], coerce=int, initial=30,
        label="Interval length")
    time_zone = forms.CharField(initial="UTC", max_length=64,
                                help_text="For times in the file without an offset.")
    preview = forms.BooleanField(required=False, initial=False,
                                 label="Preview only (check and count, import nothing)")

    MAX_BYTES = 50 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("At most 50 MB per file: split it.")
        return upload


def _kind_text(kind) -> str:
    if kind == "text":
        return "text"
    if kind == "datetime":
        return "date and time"
    if kind == "seconds":
        return "seconds, or h:mm:ss"
    if kind == "count":
        return "a whole number"
    if kind[0] == "avg":
        return f"an average, multiplied back by {kind[1].replace('_', ' ')}"
    return f"this column minus {kind[1]!r}"


class MappingForm(forms.Form):
    """A saved column mapping: which column of the file feeds which interval field.
    The column inputs start from the chosen preset; blank leaves a field out."""

    name = forms.CharField(max_length=120)
    format = forms.ChoiceField(choices=ImportFormat.choices, label="Starts from the preset",
                               help_text="Columns left as the preset names them need no change.")
    interval_minutes = forms.TypedChoiceField(
        choices=[(n, f"{n} minutes") for n in INTERVAL_LENGTHS], coerce=int, initial=30,
        label="Interval length")
    time_zone = forms.CharField(initial="UTC", max_length=64,
                                help_text="For times in the file without an offset.")
    date_format = forms.CharField(
        required=False, max_length=40, label="Date format",
        help_text="e.g. %d/%m/%Y %H:%M. Blank: ISO 8601 (2026-11-30T09:00:00Z) and the "
                  "common forms are recognised.")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    sample = forms.FileField(required=False, label="A sample of the file (optional)",
                             help_text="Preview shows its first rows as this mapping reads "
                                       "them. Nothing is imported.")

    MAX_SAMPLE_BYTES = 5 * 1024 * 1024

    def __init__(self, *args, preset=None, **kwargs):
        from . import importing

        super().__init__(*args, **kwargs)
        preset = importing.PRESETS.get(preset or self.initial.get("format")
                                       or ImportFormat.GENERIC)
        self.column_names = []
        for name in importing.MAPPABLE:
            kind = preset[name][1] if name in preset else importing.GENERIC[name][1]
            required = name in importing.REQUIRED
            self.fields[f"col_{name}"] = forms.CharField(
                required=False, max_length=importing.MAX_HEADER,
                label=importing.FIELD_LABELS[name] + (" *" if required else ""),
                help_text=f"{name} · {_kind_text(kind)}"
                          + ("" if required else " · blank: not in the file"))
            self.column_names.append(f"col_{name}")

    def column_fields(self):
        return [self[name] for name in self.column_names]

    def clean_sample(self):
        sample = self.cleaned_data.get("sample")
        if sample and sample.size > self.MAX_SAMPLE_BYTES:
            raise forms.ValidationError("At most 5 MB: a few rows are enough for a preview.")
        return sample

    def headers(self) -> dict:
        """``{field: column header}`` as entered ("" for a field left out)."""
        return {name[4:]: (self.cleaned_data.get(name) or "").strip()
                for name in self.column_names}

    def overrides(self) -> dict:
        """What differs from the chosen preset: the ``columns`` a source saves."""
        from . import importing

        preset = importing.PRESETS[self.cleaned_data["format"]]
        result = {}
        for name, header in self.headers().items():
            default = preset[name][0] if name in preset else ""
            if header != default:
                result[name] = header
        return result

    @staticmethod
    def initial_for(source=None, preset=None) -> dict:
        from . import importing

        format = source.format if source else (preset or ImportFormat.GENERIC)
        mapping = importing.mapping_for(format, source.columns if source else None)
        initial = {f"col_{name}": mapping[name][0] if name in mapping else ""
                   for name in importing.MAPPABLE}
        if source:
            initial.update(name=source.name, format=source.format,
                           interval_minutes=source.interval_minutes,
                           time_zone=source.time_zone, date_format=source.date_format,
                           notes=source.notes)
        else:
            initial.update(format=format, time_zone="UTC",
                           interval_minutes=15 if format == ImportFormat.AMAZON_CONNECT else 30)
        return initial
