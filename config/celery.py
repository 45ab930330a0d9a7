"""The Celery application.

Settings come from Django's settings under the ``CELERY_`` namespace, so every
option is spelled exactly as Celery documents it with that prefix
(``CELERY_TASK_ACKS_LATE``); a misspelled one would be silently ignored, which is
why ``tests/core/test_celery_config.py`` checks the ones we rely on.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("switchboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
