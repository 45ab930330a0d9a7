"""From a stored payload to alerts, groups and incidents: the one-alert path
(:mod:`.alerts`) and the batches the task runs (:mod:`.batches`). The names are
re-exported here so imports stay as they were."""

from .alerts import (
    MAX_ATTEMPTS,
    alert_apply,
    event_process,
    incident_severity,
    process_locked_event,
    system_user_cached,
)
from .batches import BATCH_SIZE, events_process_batch

__all__ = ["BATCH_SIZE", "MAX_ATTEMPTS", "alert_apply", "event_process",
           "events_process_batch", "incident_severity", "process_locked_event",
           "system_user_cached"]
