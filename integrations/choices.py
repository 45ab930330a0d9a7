from django.db import models


class IntegrationKind(models.TextChoices):
    """The payload formats an intake endpoint accepts (../shared/REFERENCE.md)."""

    ALERTMANAGER = "alertmanager", "Prometheus Alertmanager (webhook v4)"
    GRAFANA = "grafana", "Grafana alerting (webhook v1)"
    PAGERDUTY = "pagerduty", "PagerDuty Events API v2"
    OPSGENIE = "opsgenie", "Opsgenie create alert"
    GENERIC = "generic", "Generic JSON"
    STATUSPAGE = "statuspage", "Atlassian Statuspage (a vendor's status page)"


class AlertStatus(models.TextChoices):
    FIRING = "firing", "Firing"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class AlertSeverity(models.TextChoices):
    """The one severity scale every source is mapped onto; ranks follow incident
    severities (critical → the rank-1 severity, SEV1 by default).

    Five steps, because REFERENCE.md maps Opsgenie's P1…P5 onto critical…info one for
    one: with four, P4 and P5 would have to share a value and a P4 could not be told
    from a P5 (nor routed differently) once normalised."""

    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    INFO = "info", "Info"


# Normalised severity → rank of the incident severity it declares (SEV1 is rank 1). The
# default severities stop at SEV4, so low and info both declare SEV4 there (the nearest
# less severe that exists is none: the least severe is taken); add a SEV5 and info
# alerts open SEV5 incidents without any change here.
SEVERITY_RANK = {AlertSeverity.CRITICAL: 1, AlertSeverity.HIGH: 2, AlertSeverity.MEDIUM: 3,
                 AlertSeverity.LOW: 4, AlertSeverity.INFO: 5}


class AutoResolvePolicy(models.TextChoices):
    """What happens to the incident when the source says the alert resolved. Never
    "close": people close incidents (post-mortem, action items)."""

    NONE = "none", "Nothing (people move the incident)"
    CONTAIN = "contain", "Contain the incident"
    RESOLVE = "resolve", "Resolve the incident"


class EventStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be processed"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Failed"


# The severity maps each kind starts from (configurable per integration): source value →
# normalised severity. PagerDuty, Opsgenie and Statuspage as in REFERENCE.md; Alertmanager
# and Grafana read ``labels.severity`` through this map (common label values).
DEFAULT_SEVERITY_MAPS = {
    IntegrationKind.PAGERDUTY: {"critical": "critical", "error": "high", "warning": "medium",
                                "info": "info"},
    IntegrationKind.OPSGENIE: {"P1": "critical", "P2": "high", "P3": "medium", "P4": "low",
                               "P5": "info"},
    IntegrationKind.STATUSPAGE: {"critical": "critical", "major": "high", "minor": "medium",
                                 "none": "info"},
    IntegrationKind.ALERTMANAGER: {"critical": "critical", "page": "critical", "error": "high",
                                   "high": "high", "warning": "medium", "medium": "medium",
                                   "low": "low", "info": "info", "none": "info"},
    IntegrationKind.GRAFANA: {"critical": "critical", "page": "critical", "error": "high",
                              "high": "high", "warning": "medium", "medium": "medium",
                              "low": "low", "info": "info", "none": "info"},
    IntegrationKind.GENERIC: {"critical": "critical", "high": "high", "medium": "medium",
                              "low": "low", "info": "info"},
}
