"""Apps plug in through core.registry: what one app registers shows up in another's
pages, forms and API without either importing the other."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from core import registry
from core.choices import Role
from core.registry import DemoSeeder, FormExtension, ListColumn, Panel
from incidents.models import Incident, TimelineEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered():
    """Register for one test, then put the registry back as it was."""
    saved = {name: dict(getattr(registry, name)) for name in
             ("_PANELS", "_COLUMNS", "_FORM_EXTENSIONS", "_SEEDERS")}
    yield registry
    for name, value in saved.items():
        getattr(registry, name).clear()
        getattr(registry, name).update(value)


def _note_extension(obj, data, by):
    if data["watch_word"] == "refuse":
        raise ValidationError({"watch_word": "Not that word."})
    TimelineEvent.objects.create(incident=obj, kind="note", at=obj.declared_at, actor=by,
                                 text=f"Watch word: {data['watch_word']}")


@pytest.fixture
def watch_word(registered):
    registered.register_form_extension(FormExtension(
        "tests.watch_word", form="incidents.declare",
        fields=lambda: {"watch_word": forms.CharField(required=False, label="Watch word")},
        serializer_fields=lambda: {"watch_word": serializers.CharField(required=False)},
        apply=_note_extension))


def test_a_form_extension_adds_a_field_to_declaring_on_the_page(client, make_user, watch_word):
    client.force_login(make_user(Role.INCIDENT_RESPONDER))

    page = client.get("/incidents/declare/")
    response = client.post("/incidents/declare/", {"title": "IVR loops", "priority": "P2",
                                                   "watch_word": "kestrel"})

    assert 'name="watch_word"' in page.text
    assert response.status_code == 302
    incident = Incident.objects.get(title="IVR loops")
    assert incident.timeline.filter(text="Watch word: kestrel").exists()


def test_a_form_extension_refusal_rolls_the_declaration_back(api_client, make_user,
                                                             watch_word):
    api_client.force_authenticate(make_user(Role.INCIDENT_RESPONDER))

    response = api_client.post("/api/incidents/", {"title": "IVR loops",
                                                   "watch_word": "refuse"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"watch_word": ["Not that word."]}
    assert not Incident.objects.exists()


def test_the_api_declares_with_an_extension_field(api_client, make_user, watch_word):
    api_client.force_authenticate(make_user(Role.INCIDENT_RESPONDER))

    response = api_client.post("/api/incidents/", {"title": "Chat down",
                                                   "watch_word": "heron"}, format="json")

    assert response.status_code == 201
    assert TimelineEvent.objects.filter(text="Watch word: heron").exists()


def test_a_panel_and_a_list_column_appear_on_another_apps_pages(client, manager, registered):
    registered.register_panel(Panel(
        "tests.panel", model="incidents.incident", template="core/clock_badge.html",
        context=lambda request, obj, page_forms: {"clock": None}, slot="related"))
    registered.register_list_column(ListColumn(
        "tests.column", model="incidents.incident", header="Watchers",
        template="playbooks/_progress_cell.html", values=lambda request, rows: {}))
    from incidents.services import incident_declare

    incident = incident_declare(by=manager, title="Carrier down")
    client.force_login(manager)

    detail = client.get(incident.get_absolute_url())
    listing = client.get("/incidents/")

    assert detail.status_code == 200
    assert 'data-testid="column-tests.column"' in listing.text
    assert ">Watchers<" in listing.text


def test_a_panel_with_a_permission_is_hidden_from_roles_without_it(client, make_user,
                                                                   registered):
    seen = []
    registered.register_panel(Panel(
        "tests.secret", model="incidents.incident", template="core/clock_badge.html",
        context=lambda request, obj, page_forms: seen.append(request.user) or {"clock": None},
        permission="core.view_money"))
    from incidents.services import incident_declare

    viewer = make_user(Role.VIEWER)
    incident = incident_declare(by=make_user(Role.MANAGER), title="Carrier down")
    client.force_login(viewer)

    assert client.get(incident.get_absolute_url()).status_code == 200
    assert seen == []


def test_demo_seeders_run_after_the_ones_they_name(registered):
    registry._SEEDERS.clear()
    registered.register_demo_seeder(DemoSeeder("b", lambda demo: None, after=("a",)))
    registered.register_demo_seeder(DemoSeeder("c", lambda demo: None, after=("b", "missing")))
    registered.register_demo_seeder(DemoSeeder("a", lambda demo: None))

    assert [s.key for s in registry.demo_seeders()] == ["a", "b", "c"]


def test_areas_follow_their_permission(make_user):
    finance = make_user(Role.FINANCE)
    viewer = make_user(Role.VIEWER)
    money_only = registry.Area("ledger", "Ledger", "", permission="core.view_money")

    assert money_only.visible_to(finance) and not money_only.visible_to(viewer)
    # Budgets are open to every role for its initiatives; their amounts are not.
    assert "budgets" in [a.key for a in registry.visible_areas(viewer)]
