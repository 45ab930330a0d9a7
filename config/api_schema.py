"""drf-spectacular's settings, kept apart from config/settings.py: static, and long
because every choice set whose field name other models share needs its enum named here
(``manage.py spectacular --file /dev/null`` warns when one is missing)."""

SPECTACULAR_SETTINGS = {
    "TITLE": "Switchboard API",
    "DESCRIPTION": (
        "Incidents, customer escalations, vendors, playbooks and budgets. "
        "Authenticate with a session or with `Authorization: Token <key>` "
        "(POST /api/auth/token/). Every error has the same body: "
        "`status`, `code`, `detail`, `errors` (field → messages). "
        "Lists are paged with `?page=N&page_size=M` (M at most 200); their `count` is "
        "exact, except for an unfiltered list of more than 10,000 items on PostgreSQL, "
        "where it is the database's estimate of the table's size (counting every row "
        "of a large table on each page costs more than the page): apply any filter "
        "for an exact count."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc are served from drf-spectacular-sidecar: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Redoc's own fonts come from Google; the system's fonts serve as well offline.
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                "headings": {"fontFamily": "system-ui, -apple-system, 'Segoe UI', sans-serif"},
                "code": {"fontFamily": "ui-monospace, 'SFMono-Regular', Menlo, monospace"},
            },
        },
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets whose field names ("state", "priority", "tier") other models share.
    "ENUM_NAME_OVERRIDES": {
        "EscalationStateEnum": "escalations.choices.EscalationState",
        "PriorityEnum": "incidents.choices.Priority",
        "EscalationPriorityEnum": "escalations.choices.EscalationPriority",
        "EscalationTierEnum": "escalations.choices.Tier",
        "CustomerTierEnum": "escalations.choices.CustomerTier",
        "IncidentStateEnum": "incidents.choices.IncidentState",
        "DayCountingEnum": "escalations.choices.DayCounting",
        "PlaybookKindEnum": "playbooks.choices.PlaybookKind",
        "PlaybookVersionStateEnum": "playbooks.choices.VersionState",
        "StepRunStateEnum": "playbooks.choices.StepState",
        "EscalationCategoryEnum": "escalations.choices.EscalationCategory",
        "VendorCategoryEnum": "vendors.choices.VendorCategory",
        "VendorStatusEnum": "vendors.choices.VendorStatus",
        "RiskRatingEnum": "vendors.choices.RiskRating",
        "ContactRoleEnum": "vendors.choices.ContactRole",
        "ContractStateEnum": "vendors.choices.ContractState",
        "FeeKindEnum": "vendors.choices.FeeKind",
        "DocumentKindEnum": "vendors.choices.DocumentKind",
        "ExclusionKindEnum": "vendors.choices.ExclusionKind",
        "DeadlineKindEnum": "vendors.choices.DeadlineKind",
        "DeadlineOutcomeEnum": "vendors.choices.DeadlineOutcome",
        "RenewalDecisionEnum": "vendors.choices.RenewalDecision",
        "MeasurementSourceEnum": "vendors.choices.MeasurementSource",
        "MeasurementOriginEnum": "vendors.choices.MeasurementOrigin",
        "CreditStateEnum": "vendors.choices.CreditState",
        "SlaMetricEnum": "vendors.choices.SlaMetric",
        "BandKindEnum": "vendors.choices.BandKind",
        "BudgetCategoryEnum": "budgets.choices.BudgetCategory",
        "BenefitKindEnum": "budgets.choices.BenefitKind",
        "BenefitMethodEnum": "budgets.choices.BenefitMethod",
        "RateKindEnum": "budgets.choices.RateKind",
        "SpendImportOutcomeEnum": "budgets.choices.ImportOutcome",
        "MeasurementPeriodEnum": "vendors.choices.MeasurementPeriod",
        "ReviewStateEnum": "reports.choices.ReviewState",
        "ReviewPeriodEnum": "reports.choices.ReviewPeriod",
        "ReviewActionItemStateEnum": "reports.choices.ActionItemState",
        "PackStatusEnum": "reports.choices.PackStatus",
        "PackFormatEnum": "reports.choices.PackFormat",
        "PackKindEnum": "reports.choices.PackKind",
        "IntegrationKindEnum": "integrations.choices.IntegrationKind",
        "AlertSeverityEnum": "integrations.choices.AlertSeverity",
        "WebhookDeliveryStatusEnum": "integrations.webhooks.choices.DeliveryStatus",
        "WebhookPresetEnum": "integrations.webhooks.choices.Preset",
    },
}
