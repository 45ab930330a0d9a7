"""What the vendors app brings to the rest of Switchboard (see core/registry.py).

Nothing in incidents, escalations or playbooks names vendors: the "Affected vendors"
field on declaring an incident, the "Vendors" card on incident and escalation pages,
the vendor condition of playbook attach rules, the contract dates on the dashboard and
the demo data are all registered here.
"""

from django.apps import apps

from core.choices import Role
from core.registry import (
    Area,
    DashboardTile,
    DemoSeeder,
    FormExtension,
    PageRenderer,
    Panel,
    WorkSource,
    register_area,
    register_dashboard_tile,
    register_demo_seeder,
    register_form_extension,
    register_page_renderer,
    register_panel,
    register_work_source,
)
from core.roles import ALL, Grant, register_app
from core.work_items import register_fact_source


def register():
    # What the global search box finds of this app (core/search.py).
    from . import search

    search.register()
    from core.history import history_panel

    from .visibility import can_see_money, contract_hidden_fields

    history_panel("vendors.vendor")
    history_panel("vendors.contract", hidden_fields=contract_hidden_fields)
    history_panel("vendors.servicecredit", hidden_fields=lambda user: set() if can_see_money(
        user) else {"amount", "claimed_amount", "agreed_amount", "received_amount"})
    from .worklist import my_contract_dates, my_credits

    register_work_source(WorkSource("vendors.contract_dates", "Contract dates to decide",
                                    my_contract_dates, permission="vendors.view_contract",
                                    order=50))
    register_work_source(WorkSource("vendors.credits", "Service credits", my_credits,
                                    permission="vendors.view_servicecredit", order=60))
    # The events other systems may subscribe to (outbound webhooks).
    from . import events

    events.register()
    register_app("vendors", grants={
        Role.VENDOR_MANAGER: [Grant("vendors", ALL), Grant("vendors", ("record",),
                                                           ("servicecredit",))],
        # Finance reads credits (money) and records them received.
        Role.FINANCE: [Grant("vendors", ("record",), ("servicecredit",))],
    })
    register_area(Area(
        "vendors", "Vendors",
        "Vendors and their contacts, contracts with their notice and end dates, and the "
        "downtime their incidents caused.", order=40))
    register_page_renderer(PageRenderer("vendors.vendor", _render_vendor))
    register_page_renderer(PageRenderer("vendors.contract", _render_contract))
    # Naming the vendors an incident affects when it is declared (page and API).
    register_form_extension(FormExtension(
        "vendors.affected_vendors", form="incidents.declare", fields=_declare_fields,
        serializer_fields=_declare_serializer_fields, apply=_attribute_at_declaration,
        permission="vendors.view_vendor"))
    # The "Vendors" card: who to call, and naming more vendors.
    register_panel(Panel(
        "vendors.on_incident", model="incidents.incident", template="vendors/_work_item_card.html",
        context=_card, permission="vendors.view_vendorattribution", slot="related", order=20))
    # The escalation page draws only its "checklists" slot today.
    register_panel(Panel(
        "vendors.on_escalation", model="escalations.escalation",
        template="vendors/_work_item_card.html", context=_card,
        permission="vendors.view_vendorattribution", slot="checklists", order=200))
    # SLA scorecard on the vendor page, objectives on the contract page, and the credits
    # that need someone (money lost to missed claim windows) on the dashboard.
    register_panel(Panel(
        "vendors.scorecard", model="vendors.vendor", template="vendors/sla/_scorecard_card.html",
        context=_scorecard, permission="vendors.view_compliance", slot="main", order=10))
    register_panel(Panel(
        "vendors.objectives", model="vendors.contract",
        template="vendors/sla/_contract_objectives_card.html", context=_objectives,
        permission="vendors.view_slaobjective", slot="main", order=10))
    register_dashboard_tile(DashboardTile(
        "vendors.service_credits", template="vendors/sla/_credits_tile.html",
        context=_credits_tile, permission="vendors.view_servicecredit", order=41,
        roles=(Role.VENDOR_MANAGER, Role.FINANCE)))
    register_dashboard_tile(DashboardTile(
        "vendors.contract_dates", template="vendors/_dashboard_tile.html",
        context=_dashboard, permission="vendors.view_contract", order=40,
        roles=(Role.VENDOR_MANAGER,)))
    # Self-measured values this app can compute (vendors/measurement_sources.py): uptime
    # and downtime minutes from vendor-attributed incidents, less exclusions.
    from .measurement_sources import register_source
    from .sla import measure_downtime_minutes, measure_uptime

    register_source("uptime", measure_uptime)
    register_source("downtime_minutes", measure_downtime_minutes)
    # Those figures follow their data: closed periods are measured again when an
    # attributed incident's times or the covered queues' intervals change.
    from core.hooks import interval_data_changed, object_changed

    from .sla_refresh import on_incident_changed, on_interval_data_changed

    object_changed.connect(on_incident_changed, dispatch_uid="vendors.sla_refresh")
    interval_data_changed.connect(on_interval_data_changed,
                                  dispatch_uid="vendors.sla_refresh_intervals")
    # The escalation burst's vendor dimension: many complaints naming one vendor.
    register_dashboard_tile(DashboardTile(
        "vendors.escalation_bursts", template="vendors/_burst_tile.html",
        context=_bursts, permission="escalations.view_escalation", order=11,
        roles=(Role.MANAGER, Role.INCIDENT_RESPONDER, Role.VENDOR_MANAGER, Role.VIEWER)))
    register_demo_seeder(DemoSeeder("vendors", _seed, after=("core.people", "incidents",
                                                              "escalations")))
    # What attach rules and other matchers may read about a work item: its vendors.
    register_fact_source(_facts)
    # And the condition a person sets on a playbook's attach rule to use them: "a
    # telephony carrier is named" (vendors/playbook_rules.py). Playbooks never names
    # vendors; without playbooks there is nothing to register.
    if apps.is_installed("playbooks"):
        from playbooks.conditions import RuleCondition, register_rule_condition

        from . import playbook_rules

        register_rule_condition(RuleCondition(
            key=playbook_rules.KEY, label="Vendor", form_fields=playbook_rules.form_fields,
            input_fields=playbook_rules.input_fields,
            output_fields=playbook_rules.output_fields, clean=playbook_rules.clean,
            matches=playbook_rules.matches, describe=playbook_rules.describe,
            describe_many=playbook_rules.describe_many))


def _render_vendor(request, pk, **kwargs):
    from .views import _render_vendor

    return _render_vendor(request, pk, **kwargs)


def _render_contract(request, pk, **kwargs):
    from .views import _render_contract

    return _render_contract(request, pk, **kwargs)


def _declare_fields():
    from .forms import affected_vendors_field, selectable_vendors

    # No vendor yet: the declare form stays as it was.
    return {"affected_vendors": affected_vendors_field()} if selectable_vendors().exists() \
        else {}


def _declare_serializer_fields():
    from rest_framework import serializers

    from .forms import selectable_vendors

    return {"affected_vendors": serializers.PrimaryKeyRelatedField(
        queryset=selectable_vendors(), many=True, required=False,
        help_text="Vendor ids: the vendors this incident affects (vendors app).")}


def _attribute_at_declaration(incident, data, by):
    from .services import attribute_at_declaration

    attribute_at_declaration(incident, data, by)


def _card(request, obj, forms):
    from .views import attribution_card

    return attribution_card(request, obj, forms)


def _dashboard(user, now):
    from django.utils import timezone

    from .selectors import contracts_needing_attention

    today = timezone.localdate(now) if now else timezone.localdate()
    attention = contracts_needing_attention(today)
    # The date chips compare with today (a missing filter argument fails the page).
    return {"attention": attention, "today": today} if attention else None


def _facts(obj):
    """``vendor_ids`` and ``vendor_categories`` of the vendors a work item names (an
    attribution points at an incident or an escalation by the item's key)."""
    from django.core.exceptions import FieldDoesNotExist

    from core.work_items import owner_field

    from .models import VendorAttribution

    try:
        field = owner_field(obj, VendorAttribution)
    except (FieldDoesNotExist, LookupError):
        return {}  # a kind of work item vendors are never named on
    if obj.pk is None:
        return {"vendor_ids": set(), "vendor_categories": set()}
    rows = list(VendorAttribution.objects.filter(**{field: obj})
                .values_list("vendor_id", "vendor__category"))
    return {"vendor_ids": {vendor for vendor, _ in rows},
            "vendor_categories": {category for _, category in rows}}


def _bursts(user, now):
    from .selectors import vendor_escalation_bursts

    bursts = vendor_escalation_bursts(now=now)
    return {"bursts": bursts} if bursts else None


def _seed(demo):
    from .demo import seed_vendors

    seed_vendors(demo)


def _scorecard(request, vendor, forms):
    from .sla_views import scorecard_card

    return scorecard_card(request, vendor, forms)


def _objectives(request, contract, forms):
    from .models import SlaObjective

    current = {}
    for objective in SlaObjective.objects.filter(contract=contract).order_by(
            "name", "-effective_from"):
        current.setdefault(objective.series, objective)
    return {"objectives": list(current.values()),
            "can_edit": request.user.has_perm("vendors.manage_objective")}


def _credits_tile(user, now):
    from django.utils import timezone

    from .sla_selectors import credits_closing, credits_lost
    from .visibility import can_see_money

    if not can_see_money(user):
        return None
    lost = credits_lost()
    closing = credits_closing(timezone.localdate(now) if now else timezone.localdate())
    return {"lost": lost, "closing": closing} if lost.count or closing else None
