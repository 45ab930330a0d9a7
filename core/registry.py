"""What each app brings to the others, registered once — core knows no app by name.

An app calls these from its ``AppConfig.ready()`` (usually through its own
``<app>/contributions.py``), and nothing else in the project needs to change when
an app is added: the navigation, the dashboard, other objects' pages, the demo
seeder and the API pick it up. NetBox's ``PluginTemplateExtension`` ("add this
panel to device pages") is the model for panels.

* :class:`Area` — an entry in the main navigation (and its landing page).
* :class:`Panel` — a card an app draws on another app's object page, e.g. the
  playbook checklist on incident pages. The host page renders every panel
  registered for its model and slot, in order.
* :class:`ListColumn` — a column an app adds to another app's list (playbook
  progress on the incident list), filled for the whole page at once.
* :class:`PageRenderer` — how an object's page (or its htmx panel) is drawn, so an
  app whose card posts a form (a playbook step) can answer with the host's page
  without importing the host's views.
* :class:`FormExtension` — input an app adds to another app's form and API
  (the vendors an incident affects, chosen when declaring it).
* :class:`DashboardTile` — a section of the home dashboard.
* :class:`WorkSource` — what an app puts on a person's "My work" worklist (the
  incidents they command, the escalations they own, contract dates…), due soonest
  first.
* :class:`DemoSeeder` — an app's part of ``manage.py seed_demo``, after the
  seeders it needs.

API routes are not registered here: ``config/api.py`` gathers every app's
``api/urls.py`` router, so an app with an API only has to have one.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Any

from django.db import models
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

# --- The navigation -----------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    key: str  # the app's URL namespace; its landing page is "<key>:index"
    label: str
    summary: str
    order: int = 100
    # A permission that must be held to see the area at all (money is restricted).
    permission: str | None = None

    @property
    def url_name(self):
        return f"{self.key}:index"

    def visible_to(self, user) -> bool:
        return self.permission is None or user.has_perm(self.permission)


_AREAS: dict[str, Area] = {}


def register_area(area: Area) -> Area:
    _AREAS[area.key] = area
    return area


def areas() -> list[Area]:
    return sorted(_AREAS.values(), key=lambda a: (a.order, a.label))


def area(key: str) -> Area:
    return _AREAS[key]


def visible_areas(user) -> list[Area]:
    """The areas ``user`` may open, in navigation order."""
    return [a for a in areas() if a.visible_to(user)]


# --- Panels on other objects' pages -------------------------------------------------------


def model_label(model_or_instance) -> str:
    """``"incidents.incident"`` for the Incident class or an incident."""
    return model_or_instance._meta.label_lower


@dataclass(frozen=True)
class Panel:
    """A card drawn on the object pages of ``model``.

    ``context(request, obj, forms)`` returns the template's context, or None to draw
    nothing (e.g. nothing to show); ``forms`` is the host page's
    :class:`core.web_forms.PageForms`, so a refused form comes back with its errors.
    """

    key: str
    model: str  # "incidents.incident"
    template: str
    context: Callable[[Any, models.Model, Any], dict | None]
    permission: str | None = None
    slot: str = "main"  # where on the host page: each host names its slots
    order: int = 100


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> Panel:
    _PANELS[panel.key] = panel
    return panel


def panels_for(request, obj, forms, slot: str | None = None) -> dict[str, list[str]]:
    """The registered panels of ``obj``'s page the user may see, rendered, by slot
    (only ``slot``'s when given).

    Each panel is rendered with the host page's context plus its own, so it can use
    the page's objects (``request``, ``perms``, the CSRF token) like any include.
    """
    label = model_label(obj)
    rendered: dict[str, list[str]] = {}
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        if panel.model != label or (slot is not None and panel.slot != slot):
            continue
        if panel.permission and not request.user.has_perm(panel.permission):
            continue
        context = panel.context(request, obj, forms)
        if context is None:
            continue
        html = render_to_string(panel.template, {"object": obj, **context}, request=request)
        rendered.setdefault(panel.slot, []).append(mark_safe(html))  # noqa: S308 - our template
    return rendered


@dataclass(frozen=True)
class ListColumn:
    """A column an app adds to another app's list page.

    ``values(request, rows)`` returns ``{row pk: value}`` for the page's rows in a
    fixed number of queries; ``template`` draws one cell from ``value``.
    """

    key: str
    model: str
    header: str
    template: str
    values: Callable[[Any, list], dict]
    permission: str | None = None
    order: int = 100


_COLUMNS: dict[str, ListColumn] = {}


def register_list_column(column: ListColumn) -> ListColumn:
    _COLUMNS[column.key] = column
    return column


def list_columns_for(request, model, rows) -> list[dict]:
    """The extra columns of ``model``'s list the user may see; each row gets
    ``row.extra_cells``, ``[{"template", "value"}]`` in column order, which the list
    template includes (``{% include cell.template with value=cell.value %}``).
    Returns the headers."""
    label = model_label(model)
    columns = [c for c in sorted(_COLUMNS.values(), key=lambda c: (c.order, c.key))
               if c.model == label
               and (c.permission is None or request.user.has_perm(c.permission))]
    for row in rows:
        row.extra_cells = []
    for column in columns:
        values = column.values(request, rows)
        for row in rows:
            row.extra_cells.append({"template": column.template, "value": values.get(row.pk),
                                    "header": column.header})
    return [{"key": c.key, "header": c.header} for c in columns]


@dataclass(frozen=True)
class PageRenderer:
    """``render(request, pk, overrides=None, status=200, panel=None)`` draws the page of
    ``model``'s object ``pk`` — the whole page, or only its htmx panel."""

    model: str
    render: Callable[..., Any]


_RENDERERS: dict[str, PageRenderer] = {}


def register_page_renderer(renderer: PageRenderer) -> PageRenderer:
    _RENDERERS[renderer.model] = renderer
    return renderer


def render_object_page(request, obj, **kwargs):
    """Answer with ``obj``'s own page (or panel), whatever app it belongs to."""
    return _RENDERERS[model_label(obj)].render(request, obj.pk, **kwargs)


# --- Fields on other apps' forms ------------------------------------------------------------


@dataclass(frozen=True)
class FormExtension:
    """Input an app adds to another app's form and API input.

    The vendors app adds "Affected vendors" to declaring an incident: ``fields()``
    returns the web form fields, ``serializer_fields()`` the API input fields, and
    ``apply(obj, data, by)`` runs after the host's service in the same transaction
    with only this extension's cleaned values (raise ValidationError naming the
    field to refuse: the whole change rolls back).
    """

    key: str
    form: str  # the host's name for the form: "incidents.declare"
    fields: Callable[[], dict]
    serializer_fields: Callable[[], dict]
    apply: Callable[[Any, dict, Any], None]
    permission: str | None = None


_FORM_EXTENSIONS: dict[str, FormExtension] = {}


def register_form_extension(extension: FormExtension) -> FormExtension:
    _FORM_EXTENSIONS[extension.key] = extension
    return extension


def form_extensions(form: str, user=None) -> list[FormExtension]:
    return [e for e in sorted(_FORM_EXTENSIONS.values(), key=lambda e: e.key)
            if e.form == form
            and (user is None or e.permission is None or user.has_perm(e.permission))]


def split_extension_data(form: str, data: dict, user=None) -> tuple[dict, dict]:
    """``(the host's own values, {extension key: its values})`` from cleaned data."""
    own, extra = dict(data), {}
    for extension in form_extensions(form, user):
        names = set(extension.fields()) | set(extension.serializer_fields())
        extra[extension.key] = {n: own.pop(n) for n in list(own) if n in names}
    return own, extra


def apply_form_extensions(form: str, obj, extra: dict, *, by) -> None:
    for extension in form_extensions(form, by):
        values = extra.get(extension.key)
        if values:
            extension.apply(obj, values, by)


# --- The home dashboard ---------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardTile:
    """A section of the home dashboard: ``context(user, now)`` → template context, or
    None to leave the section out.

    ``roles`` says whose dashboard it belongs on (a responder's shows their incidents,
    a vendor manager's the contract dates; empty: everyone's); ``page="system"`` puts
    it on the System health page (people, teams, the worker) for managers instead.
    """

    key: str
    template: str
    context: Callable[[Any, Any], dict | None]
    permission: str | None = None
    order: int = 100
    roles: tuple[str, ...] = ()
    page: str = "home"

    def for_user(self, user) -> bool:
        if user is None:
            return True
        if self.permission and not user.has_perm(self.permission):
            return False
        if not self.roles or user.is_superuser:
            return True
        return bool(set(self.roles) & _role_names(user))


_TILES: dict[str, DashboardTile] = {}


def register_dashboard_tile(tile: DashboardTile) -> DashboardTile:
    _TILES[tile.key] = tile
    return tile


def _role_names(user) -> set[str]:
    # Read once per request: every tile asks.
    if not hasattr(user, "_dashboard_roles"):
        user._dashboard_roles = set(user.groups.values_list("name", flat=True))
    return user._dashboard_roles


def dashboard_tiles(user=None, page: str = "home") -> list[DashboardTile]:
    """The tiles of ``page`` meant for ``user`` (``None``: all of them), in order."""
    return [t for t in sorted(_TILES.values(), key=lambda t: (t.order, t.key))
            if t.page == page and t.for_user(user)]


# --- "My work": what each person owns, due soonest first -------------------------------


@dataclass(frozen=True)
class WorkEntry:
    """One line of someone's worklist."""

    reference: str  # "INC-2026-0042", "Northwind Telecom"
    title: str
    url: str
    due_at: Any = None  # an aware datetime (a date is read as its start, UTC), or None
    due_what: str = ""  # what is due then: "Resolution SLA", "Notice date"
    state: str = ""  # how far it got, in words


@dataclass(frozen=True)
class WorkSource:
    """A group on "My work": ``items(user, now)`` → the :class:`WorkEntry` list of what
    ``user`` owns in this app, in a fixed number of queries whatever its length."""

    key: str
    label: str  # the group's heading: "Escalations I own"
    items: Callable[[Any, Any], list]
    permission: str | None = None
    order: int = 100


_WORK_SOURCES: dict[str, WorkSource] = {}


def register_work_source(source: WorkSource) -> WorkSource:
    _WORK_SOURCES[source.key] = source
    return source


def work_sources(user=None) -> list[WorkSource]:
    """The sources ``user`` may see (``None``: all of them), in order."""
    return [s for s in sorted(_WORK_SOURCES.values(), key=lambda s: (s.order, s.key))
            if s.permission is None or user is None or user.has_perm(s.permission)]


# --- Demo data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSeeder:
    """An app's demo data: ``seed(demo)`` with the shared :class:`DemoContext`; runs
    after the seeders named in ``after`` (unknown names are ignored, so an app may
    name one that is not installed)."""

    key: str
    seed: Callable[[Any], None]
    after: tuple[str, ...] = ()
    # Part of the months of history (skipped by seed_demo --without-history).
    history: bool = True
    # Runs after every other seeder (catching the sweeps up with the seeded past).
    last: bool = False


@dataclass
class DemoContext:
    """What seeders share: the demo people by username, and anything a seeder
    leaves for the ones after it (``demo.shared["incidents"] = …``)."""

    users: dict
    shared: dict = field(default_factory=dict)


_SEEDERS: dict[str, DemoSeeder] = {}


def register_demo_seeder(seeder: DemoSeeder) -> DemoSeeder:
    _SEEDERS[seeder.key] = seeder
    return seeder


def demo_seeders() -> list[DemoSeeder]:
    """Every seeder, each after the ones it names; the ``last`` ones at the end."""
    graph = {key: {a for a in seeder.after if a in _SEEDERS} for key, seeder in _SEEDERS.items()}
    ordered = [_SEEDERS[key] for key in TopologicalSorter(graph).static_order()]
    return [s for s in ordered if not s.last] + [s for s in ordered if s.last]


# --- Global search ------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One thing found: what a result row shows and where it leads."""

    title: str
    url: str
    reference: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Searcher:
    """What one kind of object contributes to the global search box.

    ``search(user, text, limit)`` returns at most ``limit`` :class:`SearchHit` the user
    may open — the searcher filters by its own rules (a field a role may not see is
    never matched: a match would reveal it). ``permission`` hides the whole kind.
    ``pick`` says the kind can fill a reference field (link pickers).
    """

    key: str  # "incidents.incident"
    label: str  # "Incidents"
    search: Callable[[Any, str, int], list]
    permission: str | None = None
    order: int = 100


_SEARCHERS: dict[str, Searcher] = {}


def register_searcher(searcher: Searcher) -> Searcher:
    _SEARCHERS[searcher.key] = searcher
    return searcher


def searchers(user=None) -> list[Searcher]:
    """The kinds ``user`` may search (``None``: all of them), in order."""
    return [s for s in sorted(_SEARCHERS.values(), key=lambda s: (s.order, s.key))
            if user is None or s.permission is None or user.has_perm(s.permission)]
