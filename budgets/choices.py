from django.db import models


class BudgetCategory(models.TextChoices):
    TOOLING = "tooling", "Interaction tooling"
    VENDOR_CONTRACTS = "vendor_contracts", "Vendor contracts"
    INITIATIVES = "initiatives", "Optimisation initiatives"
    STAFFING = "staffing", "Staffing / BPO"
    OTHER = "other", "Other"


class SpendOrigin(models.TextChoices):
    ENTERED = "entered", "Entered"
    IMPORTED = "imported", "Imported"
    API = "api", "Pushed by API"
    CREDIT = "credit", "Service credit received"


class CostType(models.TextChoices):
    RECURRING = "recurring", "Recurring"
    ONE_TIME = "one_time", "One-time"


class ImportOutcome(models.TextChoices):
    IMPORTED = "imported", "Imported"
    REFUSED = "refused", "Refused"


class AlertScope(models.TextChoices):
    BUDGET = "budget", "Budget"
    CATEGORY = "category", "Category"


class InitiativeState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered"
    BENEFITS_REVIEWED = "benefits_reviewed", "Benefits reviewed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_INITIATIVE_STATES = (InitiativeState.PROPOSED, InitiativeState.APPROVED,
                          InitiativeState.IN_PROGRESS, InitiativeState.DELIVERED)
# States in which money has been committed to the initiative (ROI is shown).
FUNDED_INITIATIVE_STATES = (InitiativeState.APPROVED, InitiativeState.IN_PROGRESS,
                            InitiativeState.DELIVERED, InitiativeState.BENEFITS_REVIEWED)


class BenefitKind(models.TextChoices):
    COST_SAVED = "cost_saved", "Cost saved"
    COST_AVOIDED = "cost_avoided", "Cost avoided"
    REVENUE = "revenue", "Revenue"


class BenefitMethod(models.TextChoices):
    """How a measured benefit was arrived at: typed in, or derived from the KPI change
    against the initiative's baseline (``budgets/roi.py`` has the formulas)."""

    ENTERED = "entered", "Entered"
    AHT_REDUCTION = "aht_reduction", "AHT reduction × contacts × cost per minute"
    CONTAINMENT = "containment", "Bot containment × contacts × cost per contact"


class RateKind(models.TextChoices):
    RESPONDER = "responder", "Responder cost per hour (by incident role)"
    AGENT_HOUR = "agent_hour", "Loaded agent cost per hour"
    LOST_CONTACT = "lost_contact", "Value of a lost contact (per channel)"


# The incident roles a responder rate is kept for ("participant": anyone else who joined).
RESPONDER_ROLES = (
    ("commander", "Incident commander"),
    ("communications_lead", "Communications lead"),
    ("scribe", "Scribe"),
    ("vendor_liaison", "Vendor liaison"),
    ("participant", "Other participant"),
)
