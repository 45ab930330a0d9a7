from django.db import models


class VendorCategory(models.TextChoices):
    BPO = "bpo", "BPO / outsourced contact center"
    CARRIER = "carrier", "Telephony carrier"
    CCAAS = "ccaas", "CCaaS platform"
    CRM = "crm", "CRM"
    WFM = "wfm", "WFM"
    CHATBOT = "chatbot", "Chatbot / conversational AI"
    QA = "qa", "QA / analytics"
    OTHER = "other", "Other"


class VendorStatus(models.TextChoices):
    ONBOARDING = "onboarding", "Onboarding"
    ACTIVE = "active", "Active"
    OFFBOARDING = "offboarding", "Offboarding"
    EXITED = "exited", "Exited"


class RiskRating(models.TextChoices):
    UNRATED = "unrated", "Not rated yet"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class ContactRole(models.TextChoices):
    ACCOUNT_MANAGER = "account_manager", "Account manager"
    SUPPORT_DESK = "support_desk", "Support desk"
    NOC = "noc", "NOC"
    ESCALATION = "escalation", "Escalation"
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"


# The contacts an incident page shows for an attributed vendor: who to call now (the
# support desk only for a vendor with neither a NOC nor an escalation contact).
INCIDENT_CONTACT_ROLES = (ContactRole.NOC, ContactRole.ESCALATION)
FALLBACK_CONTACT_ROLES = (ContactRole.SUPPORT_DESK,)


class BillingPeriod(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class FeeKind(models.TextChoices):
    SUBSCRIPTION = "subscription", "Subscription"
    USAGE = "usage", "Usage"
    ONE_TIME = "one_time", "One-time"
    OTHER = "other", "Other"


class RenewalType(models.TextChoices):
    NONE = "none", "None (ends on its end date)"
    AUTOMATIC = "automatic", "Automatic (tacit) renewal for a term"
    EXPLICIT = "explicit", "Explicit renewal needed"


class NoticeUnit(models.TextChoices):
    DAYS = "days", "days"
    MONTHS = "months", "months"


class ContractState(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    NOTICE_GIVEN = "notice_given", "Notice given"
    RENEWED = "renewed", "Renewed"
    EXPIRED = "expired", "Expired"
    TERMINATED = "terminated", "Terminated"


# The contract is running: its dates matter (warnings, renewal, expiry).
LIVE_CONTRACT_STATES = (ContractState.ACTIVE, ContractState.RENEWED, ContractState.NOTICE_GIVEN)
# Running and still open to renewal: a renewal decision is owed before the notice date.
RENEWABLE_STATES = (ContractState.ACTIVE, ContractState.RENEWED)
FINISHED_CONTRACT_STATES = (ContractState.EXPIRED, ContractState.TERMINATED)


class RenewalDecision(models.TextChoices):
    RENEW = "renew", "Renew"
    RENEGOTIATE = "renegotiate", "Renegotiate"
    EXIT = "exit", "Exit"


class DowntimeEnd(models.TextChoices):
    """Which incident stage ends the vendor's downtime under a contract."""

    CONTAINED = "contained", "Containment (workaround in place)"
    RESOLVED = "resolved", "Resolution (cause fixed)"


class ExclusionKind(models.TextChoices):
    MAINTENANCE = "maintenance", "Scheduled maintenance with notice"
    FORCE_MAJEURE = "force_majeure", "Force majeure"
    CAUSED_BY_US = "caused_by_us", "Caused by us"
    THIRD_PARTY = "third_party", "Third party"


class DocumentKind(models.TextChoices):
    CONTRACT = "contract", "Signed contract"
    SLA = "sla", "SLA schedule"
    PRICING = "pricing", "Pricing schedule (money)"
    AMENDMENT = "amendment", "Amendment"
    NOTICE = "notice", "Notice letter"
    OTHER = "other", "Other"


class DeadlineKind(models.TextChoices):
    WARNING = "warning", "Warning before the notice date"
    NOTICE = "notice", "Notice date passed"
    END = "end", "End date passed"


class DeadlineOutcome(models.TextChoices):
    WARNED = "warned", "Warning sent"
    SUPERSEDED = "superseded", "Skipped: a nearer warning was due at once"
    TOO_LATE = "too_late", "Skipped: the notice date had already passed"
    BREACHED = "breached", "No decision by the notice date"
    DECIDED = "decided", "Decided in time"
    RENEWED = "renewed", "Renewed automatically"
    EXPIRED = "expired", "Expired"
    NOTHING = "nothing", "Nothing to do (the contract had moved on)"


class NoticeWindow(models.TextChoices):
    """The notice-window filter of the contract list and the API."""

    NEXT_30 = "30", "Notice date in the next 30 days"
    NEXT_60 = "60", "Notice date in the next 60 days"
    NEXT_90 = "90", "Notice date in the next 90 days"
    ENTERED = "entered", "Entered the notice window"
    OVERDUE = "overdue", "Past the notice date, undecided"


# --- SLA objectives, measurements and service credits (issue 15) --------------------------


class SlaMetric(models.TextChoices):
    UPTIME = "uptime", "Uptime %"
    SERVICE_LEVEL = "service_level", "Service level X/Y %"
    ABANDON_RATE = "abandon_rate", "Abandon rate %"
    AHT = "aht", "AHT (seconds)"
    ASA = "asa", "ASA (seconds)"
    FCR = "fcr", "FCR %"
    CSAT = "csat", "CSAT %"
    QA_SCORE = "qa_score", "QA score %"
    SUPPORT_RESPONSE = "support_response", "Vendor support response time (minutes)"
    SUPPORT_RESOLUTION = "support_resolution", "Vendor support resolution time (minutes)"
    CUSTOM = "custom", "Custom numeric metric"


# Metrics measured in percent (the scorecard's allowance and the explanations' unit).
PERCENT_METRICS = {SlaMetric.UPTIME, SlaMetric.SERVICE_LEVEL, SlaMetric.ABANDON_RATE,
                   SlaMetric.FCR, SlaMetric.CSAT, SlaMetric.QA_SCORE}


class Comparator(models.TextChoices):
    AT_LEAST = "at_least", "at least"
    AT_MOST = "at_most", "at most"


class MeasurementPeriod(models.TextChoices):
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


class UptimeFormula(models.TextChoices):
    EXCLUDED_ADDED_BACK = "excluded_added_back", "(A − B + C) ÷ A, excluded minutes added back"
    PLAIN = "plain", "(A − B) ÷ A"


class AbandonTreatment(models.TextChoices):
    IGNORED = "ignored", "Abandons ignored"
    NEGATIVE = "negative", "Abandons negative"
    POSITIVE = "positive", "Abandons positive"


class MeasurementSource(models.TextChoices):
    SELF = "self", "Self-measured"
    VENDOR = "vendor", "Vendor-reported"


class MeasurementOrigin(models.TextChoices):
    COMPUTED = "computed", "Computed from our data"
    ENTERED = "entered", "Entered"
    IMPORTED = "imported", "Imported"
    PUSHED = "pushed", "Pushed by API"


class BandKind(models.TextChoices):
    VALUE = "value", "Value band"
    DURATION = "duration", "Duration band (outage minutes)"
    FLOOR = "floor", "Floor"


class MinimumRule(models.TextChoices):
    AT_LEAST = "at_least", "at least the minimum"
    MORE_THAN = "more_than", "more than the minimum"


class ClaimWindowFrom(models.TextChoices):
    PERIOD_END = "period_end", "After the period ends"
    INCIDENT = "incident", "After the incident"


class CreditPayment(models.TextChoices):
    FUTURE_INVOICES = "future_invoices", "Against future invoices"
    REFUND = "refund", "Refund"


class CreditState(models.TextChoices):
    ACCRUED = "accrued", "Accrued"
    CLAIMED = "claimed", "Claimed"
    ACCEPTED = "accepted", "Accepted"
    DISPUTED = "disputed", "Disputed by the vendor"
    RECEIVED = "received", "Received"
    WAIVED = "waived", "Waived"


OPEN_CREDIT_STATES = (CreditState.ACCRUED, CreditState.CLAIMED, CreditState.ACCEPTED,
                      CreditState.DISPUTED)


class CreditDeadlineOutcome(models.TextChoices):
    WARNED = "warned", "Warning sent"
    BREACHED = "breached", "Claim window passed unclaimed"
    CLAIMED = "claimed", "Claimed in time (nothing to do)"
    SUPERSEDED = "superseded", "Skipped: a later warning was due at once"


class CreditLedgerFilter(models.TextChoices):
    DUE = "due", "Due to claim"
    CLAIMED = "claimed", "Claimed"
    DISPUTED = "disputed", "Disputed"
    OVERDUE = "overdue", "Overdue (window passed unclaimed)"
