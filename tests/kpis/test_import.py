"""CSV/XLSX import and API push: all or nothing, every bad row named, re-import replaces."""

import io
from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from kpis import importing, services
from kpis.models import IntervalImport, IntervalStat

HEADER = ("queue,start,offered,answered,answered_within_threshold,abandoned,"
          "abandoned_within_threshold,short_abandons,handled,talk_seconds,hold_seconds,"
          "acw_seconds,answer_wait_seconds\n")


def good_row(start="2026-11-30 09:00", queue="Voice support", offered=100, answered=85,
             within=70, abandoned=15, abandoned_within=8, short=3):
    return (f"{queue},{start},{offered},{answered},{within},{abandoned},{abandoned_within},"
            f"{short},{answered},20400,1700,5100,1275\n")


def load(by, text, **kwargs):
    return services.intervals_import(by=by, content=text.encode(), file_name="week.csv",
                                     **kwargs)


def test_a_good_file_is_imported_and_recorded(manager, support):
    result = load(manager, HEADER + good_row() + good_row("2026-11-30 09:30"))
    assert (result.rows, result.created, result.replaced) == (2, 2, 0)
    row = IntervalStat.objects.get(queue=support, start=datetime(2026, 11, 30, 9, tzinfo=UTC))
    assert (row.offered, row.answered_within_threshold, row.talk_seconds) == (100, 70, 20400)
    assert result.record.outcome == "imported" and result.record.by == manager
    assert row.history.get().history_change_reason == f"Interval load #{result.record.pk}"


def test_reimporting_the_same_intervals_replaces_them(manager, support):
    load(manager, HEADER + good_row())
    result = load(manager, HEADER + good_row(offered=120, answered=100, within=90))
    assert (result.created, result.replaced) == (0, 1)
    row = IntervalStat.objects.get()
    assert (row.offered, row.answered) == (120, 100)
    assert row.history.count() == 2  # created, then replaced


def test_times_without_offset_are_in_the_source_zone(manager, support):
    load(manager, HEADER + good_row("2026-07-01 09:00"), time_zone="Europe/London")
    assert IntervalStat.objects.get().start == datetime(2026, 7, 1, 8, tzinfo=UTC)


def test_the_export_name_of_a_queue_matches_too(manager, support):
    load(manager, HEADER + good_row(queue="vs_support"))
    assert IntervalStat.objects.get().queue == support


BAD_ROWS = [
    (good_row(queue="Nowhere"), "queue", "No queue called"),
    (good_row(queue=""), "queue", "Name the queue"),
    (good_row(start="yesterday"), "start", "Expected a date and time"),
    (good_row(start="2026-11-30 09:10"), "start", "Not the start of a 30-minute interval"),
    (good_row(offered="ten"), "offered", "Expected a number"),
    (good_row(offered="-4"), "offered", "Expected not negative"),
    (good_row(offered="4.5"), "offered", "Expected a whole number"),
    (good_row(offered="¹²"), "offered", "Expected a number"),
    (good_row(offered="99999999999"), "offered", "at most"),
    (good_row(within=90), "answered_within_threshold", "more than answered"),
    (good_row(abandoned_within=20), "abandoned_within_threshold", "more than abandoned"),
    (good_row(short=9), "short_abandons", "more than abandoned within"),
    (good_row(offered=50), "offered", "fewer than answered"),
    (good_row(start="1899-01-01 09:00"), "start", "a year between"),
]


@pytest.mark.parametrize(("row", "column", "message"), BAD_ROWS)
def test_each_kind_of_bad_row_is_named_and_nothing_is_imported(manager, support, row, column,
                                                               message):
    with pytest.raises(services.ImportRefused) as refused:
        load(manager, HEADER + good_row() + row)
    assert IntervalStat.objects.count() == 0
    [error] = refused.value.rows
    assert error["row"] == 3 and error["column"] == column and message in error["message"]
    assert IntervalImport.objects.get().outcome == "refused"


def test_every_bad_row_is_named_not_only_the_first(manager, support):
    text = HEADER + good_row(queue="Nowhere") + good_row() + good_row(
        start="2026-11-30 10:00", offered="x") + good_row()
    with pytest.raises(services.ImportRefused) as refused:
        load(manager, text)
    assert [(e["row"], e["column"]) for e in refused.value.rows] == [
        (2, "queue"), (4, "offered"), (5, "start")]  # line 5 repeats line 3's interval
    assert "3 rows have errors" in refused.value.message
    assert IntervalStat.objects.count() == 0


def test_a_refused_reimport_leaves_the_held_intervals_as_they_were(manager, support):
    load(manager, HEADER + good_row())
    with pytest.raises(services.ImportRefused):
        load(manager, HEADER + good_row(offered=300, answered=250, within=200) +
             good_row("2026-11-30 09:30", offered="bad"))
    assert IntervalStat.objects.get().offered == 100


def test_a_missing_required_column_is_named(manager, support):
    with pytest.raises(services.ImportRefused) as refused:
        load(manager, "queue,start,offered\nVoice support,2026-11-30 09:00,4\n")
    assert {e["column"] for e in refused.value.rows} == {"answered", "abandoned"}


@pytest.mark.parametrize(("content", "name"), [(b"", "a.csv"), (b"\xff\xfe\x00bad", "a.csv"),
                                               (b"PK\x03\x04broken", "a.xlsx"),
                                               (b"x", "a.pdf")])
def test_unreadable_files_are_refused_naming_the_file(manager, support, content, name):
    with pytest.raises(ValidationError) as refused:
        services.intervals_import(by=manager, content=content, file_name=name)
    assert "file" in refused.value.message_dict


def test_preview_writes_nothing(manager, support):
    load(manager, HEADER + good_row())
    result = load(manager, HEADER + good_row() + good_row("2026-11-30 09:30"), dry_run=True)
    assert (result.created, result.replaced, result.record) == (1, 1, None)
    assert IntervalStat.objects.count() == 1


def test_xlsx_is_read_with_line_numbers(manager, support):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(good_row().strip().split(","))
    values = good_row("2026-11-30 09:30").strip().split(",")
    values[1] = datetime(2026, 11, 30, 9, 30)  # a real date cell
    sheet.append(values)
    sheet.append(good_row(queue="Nowhere", start="2026-11-30 10:00").strip().split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(services.ImportRefused) as refused:
        services.intervals_import(by=manager, content=buffer.getvalue(), file_name="w.xlsx")
    assert [(e["row"], e["column"]) for e in refused.value.rows] == [(4, "queue")]


@pytest.mark.parametrize("format", ["generic", "amazon_connect", "genesys_cloud"])
def test_each_shipped_sample_file_imports(manager, support, format):
    headers, rows = importing.sample_rows(format)
    text = ",".join(headers) + "\n" + "\n".join(",".join(str(v) for v in r) for r in rows)
    result = services.intervals_import(by=manager, content=text.encode(), file_name="s.csv",
                                       format=format)
    assert result.created == 2
    row = IntervalStat.objects.order_by("start").first()
    assert (row.offered, row.answered, row.answered_within_threshold) == (120, 104, 86)
    assert row.answer_wait_seconds == 1560  # averages multiplied back by their count


def test_amazon_connect_averages_become_sums(manager, support):
    text = ("Queue,StartInterval,Contacts queued,Contacts handled incoming,Contacts handled,"
            "Contacts answered in 20 seconds,Contacts abandoned,"
            "Contacts abandoned in 20 seconds,Contacts abandoned in 5 seconds,"
            "Average queue answer time,Average agent interaction time\n"
            "Voice support,2026-11-30T09:00:00Z,10,8,8,6,2,1,1,12.5,240\n")
    services.intervals_import(by=manager, content=text.encode(), file_name="connect.csv",
                              format="amazon_connect")
    row = IntervalStat.objects.get()
    assert (row.answer_wait_seconds, row.talk_seconds) == (100, 1920)


def test_roles_without_import_are_refused(viewer, responder, support):
    for user in (viewer, responder):
        with pytest.raises(PermissionDenied):
            load(user, HEADER + good_row())


def test_a_vendor_manager_imports(victor, support):
    assert load(victor, HEADER + good_row()).created == 1


# --- API push (the service) --------------------------------------------------------------


def pushed(start="2026-11-30T09:00:00Z", **values):
    return {"queue": "Voice support", "start": start, "offered": 10, "answered": 8,
            "answered_within_threshold": 6, "abandoned": 2, "abandoned_within_threshold": 1,
            **values}


def test_push_loads_many_in_one_go_and_names_bad_items(manager, support):
    with pytest.raises(services.ImportRefused) as refused:
        services.intervals_push(by=manager, intervals=[
            pushed(), pushed("2026-11-30T09:30:00Z", answered=-1), pushed("not a time")])
    assert [(e["row"], e["column"]) for e in refused.value.rows] == [(2, "answered"),
                                                                      (3, "start")]
    assert IntervalStat.objects.count() == 0
    result = services.intervals_push(by=manager, intervals=[
        pushed(), pushed("2026-11-30T09:30:00+01:00", queue=support.pk)])
    assert result.created == 2
    assert IntervalStat.objects.filter(start=datetime(2026, 11, 30, 8, 30, tzinfo=UTC)).exists()


def test_push_refuses_mixed_or_odd_interval_lengths(manager, support):
    with pytest.raises(services.ImportRefused):
        services.intervals_push(by=manager, intervals=[pushed(length_minutes=20)])
    with pytest.raises(services.ImportRefused):
        services.intervals_push(by=manager, intervals=[
            pushed(length_minutes=15), pushed("2026-11-30T09:30:00Z", length_minutes=30)])
