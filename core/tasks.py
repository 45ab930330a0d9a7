import socket

from celery import shared_task
from celery.signals import worker_ready

from .health import record_heartbeat


@shared_task(name="core.tasks.heartbeat", ignore_result=False)
def heartbeat():
    """Prove a worker and beat are alive; the health endpoint reads the timestamp."""
    hostname = socket.gethostname()
    record_heartbeat(hostname=hostname)
    return hostname


@worker_ready.connect
def _heartbeat_on_start(sender, **kwargs):
    # Beat's first interval tick comes a full interval after start; beat once now
    # through the broker so "is the worker alive" is answered within seconds.
    heartbeat.delay()
