"""The mapping editor: managers and vendor managers see, create and change a source's
column mapping from the three presets, preview a sample's first rows as mapped, and
get each bad mapping back naming its field; every other role is refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.choices import Role
from kpis import importing, services
from kpis.models import ImportSource, IntervalStat

pytestmark = pytest.mark.django_db

ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]
EDITORS = (Role.MANAGER, Role.VENDOR_MANAGER)


def form_data(format="amazon_connect", **changes):
    """What the editor posts for ``format`` left as the preset names it."""
    mapping = importing.mapping_for(format)
    data = {"name": "Connect EU", "format": format, "interval_minutes": 15,
            "time_zone": "Europe/London", "date_format": "", "notes": "", "action": "save"}
    for name in importing.MAPPABLE:
        data[f"col_{name}"] = mapping[name][0] if name in mapping else ""
    data.update(changes)
    return data


@pytest.fixture
def editor(client, manager):
    client.force_login(manager)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_only_importing_roles_open_or_change_mappings(client, make_user, role):
    client.force_login(make_user(role, username=f"map-{role}".replace(" ", "")))
    allowed = role in EDITORS
    expected = 200 if allowed else 403
    assert client.get("/kpis/mappings/").status_code == expected
    assert client.get("/kpis/mappings/new/?preset=genesys_cloud").status_code == expected
    response = client.post("/kpis/mappings/new/", form_data(name=f"By {role}"))
    assert response.status_code == (302 if allowed else 403)
    assert ImportSource.objects.filter(name=f"By {role}").exists() == allowed


@pytest.mark.parametrize("preset", ["amazon_connect", "genesys_cloud", "generic"])
def test_a_new_mapping_starts_from_each_preset(editor, preset):
    page = editor.get(f"/kpis/mappings/new/?preset={preset}").content.decode()
    header = importing.PRESETS[preset]["offered"][0]
    assert f'value="{header}"' in page and 'data-testid="mapping-form"' in page


def test_saving_keeps_only_what_differs_from_the_preset_with_history(editor, manager):
    response = editor.post("/kpis/mappings/new/", form_data(
        col_offered="Queued", col_transfers="", col_csat_responses="Surveys",
        date_format="%d/%m/%Y %H:%M"))
    source = ImportSource.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/kpis/mappings/{source.pk}/"
    assert source.columns == {"offered": "Queued", "transfers": "",
                              "csat_responses": "Surveys"}
    assert (source.interval_minutes, source.time_zone) == (15, "Europe/London")
    mapping = importing.mapping_for(source.format, source.columns)
    assert mapping["offered"] == ("Queued", "count") and "transfers" not in mapping
    assert mapping["csat_responses"] == ("Surveys", "count")  # a field Connect lacks
    # Edited again: the page shows the saved headers; the history says who and why.
    page = editor.get(f"/kpis/mappings/{source.pk}/").content.decode()
    assert 'value="Queued"' in page and 'value="Surveys"' in page
    editor.post(f"/kpis/mappings/{source.pk}/", form_data(col_offered="In queue"))
    source.refresh_from_db()
    assert source.columns == {"offered": "In queue"}
    reasons = list(source.history.values_list("history_change_reason", flat=True))
    assert reasons == ["Import mapping changed", "Import mapping created"]
    assert source.history.first().history_user == manager


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"col_offered": ""}, "col_offered", "Required: name the column that holds it."),
    ({"col_queue": "  "}, "col_queue", "Required"),
    ({"date_format": "dd/mm/yyyy"}, "date_format", "strftime codes"),
    ({"date_format": "%d/%m/%Y"}, "date_format", "hour and minute"),
    ({"time_zone": "Mars/Olympus"}, "time_zone", "not a known IANA time zone"),
    ({"interval_minutes": 20}, "interval_minutes", "Select a valid choice"),
    ({"name": ""}, "name", "This field is required"),
])
def test_a_bad_mapping_is_refused_naming_the_field(editor, changes, field, message):
    response = editor.post("/kpis/mappings/new/", form_data(**changes))
    assert response.status_code == 400
    form = response.context["form"]
    assert message in " ".join(form.errors.get(field, [])), form.errors
    assert not ImportSource.objects.exists()


def test_the_service_names_unknown_fields(manager):
    with pytest.raises(services.ValidationError) as refused:
        services.source_save(by=manager, name="Odd", format="generic",
                             columns={"colour": "Colour"})
    assert "columns.colour" in refused.value.message_dict


SAMPLE = ("Queue,StartInterval,Contacts queued,Contacts handled incoming,Contacts handled,"
          "Contacts answered in 20 seconds,Contacts abandoned,Contacts abandoned in 20 seconds,"
          "Contacts abandoned in 5 seconds,Average queue answer time\n"
          "Voice support,30/11/2026 09:00,100,85,85,70,15,8,3,12.5\n"
          "Voice support,30/11/2026 09:15,90,80,80,60,10,5,2,10\n"
          "Nobody,30/11/2026 09:30,90,80,80,60,10,5,2,10\n")


def preview(editor, sample=SAMPLE, **changes):
    data = form_data(**{"date_format": "%d/%m/%Y %H:%M", "time_zone": "UTC",
                        "action": "preview", **changes})
    data["sample"] = SimpleUploadedFile("connect.csv", sample.encode())
    return editor.post("/kpis/mappings/new/", data)


def test_preview_shows_the_first_rows_as_mapped_and_saves_nothing(editor, support):
    response = preview(editor)
    page = response.content.decode()
    assert 'data-testid="mapping-preview-table"' in page
    table = {line["field"]: line["cells"] for line in response.context["table"]}
    assert table["queue"][:2] == ["Voice support", "Voice support"]
    assert table["start"][0] == "2026-11-30 09:00 UTC"
    assert table["offered"][:2] == [100, 90]
    assert table["answer_wait_seconds"][0] == 1063  # 12.5 s × 85 answered, half up
    # The third row names a queue Switchboard does not have: named, not hidden.
    assert "Line 4, column Queue: No queue called &#x27;Nobody&#x27;" in page
    assert response.status_code == 400
    assert not ImportSource.objects.exists() and not IntervalStat.objects.exists()


def test_preview_names_each_mapped_column_missing_from_the_file(editor, support):
    response = preview(editor, col_offered="Contacts in queue")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["col_offered"] == ["No column 'Contacts in queue' in the file."]


def test_preview_names_a_date_the_format_cannot_read(editor, support):
    response = preview(editor, date_format="%Y-%m-%d %H:%M")
    assert "Expected a date and time written %Y-%m-%d %H:%M" in response.content.decode()


def test_a_saved_mapping_with_its_date_format_imports(manager, support):
    source = services.source_save(by=manager, name="Connect EU", format="amazon_connect",
                                  interval_minutes=15, time_zone="UTC",
                                  date_format="%d/%m/%Y %H:%M",
                                  columns={"offered": "Queued"})
    text = SAMPLE.replace("Contacts queued", "Queued").rsplit("Nobody", 1)[0]
    result = services.intervals_import(by=manager, content=text.encode(),
                                       file_name="connect.csv", source=source)
    assert (result.rows, result.created) == (2, 2)
    assert sorted(IntervalStat.objects.values_list("offered", flat=True)) == [90, 100]
