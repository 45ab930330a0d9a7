import socket

from celery import shared_task

from .health import record_heartbeat


@shared_task(name="core.tasks.heartbeat", ignore_result=False)
def heartbeat():
    """Prove a worker and beat are alive; the health endpoint reads the timestamp."""
    hostname = socket.gethostname()
    record_heartbeat(hostname=hostname)
    return hostname
