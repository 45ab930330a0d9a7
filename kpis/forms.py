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
