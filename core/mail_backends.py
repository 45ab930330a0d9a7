"""Where email goes when no ``EMAIL_URL`` is set (``make run``, a first try-out).

Printing every message to the console (Django's console backend) flooded the terminal
of a fresh demo with hundreds of emails. Here each message is written whole to
``var/mail/`` as its own ``.eml`` file (open it in any mail reader) and the log gets
one line: who, what, and the file.
"""

import logging
import threading
from itertools import count
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

logger = logging.getLogger(__name__)
_numbers = count(1)
_lock = threading.Lock()


class MailFolderBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            with _lock:
                number = next(_numbers)
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{number}.eml"
            (folder / name).write_bytes(message.message().as_bytes())
            logger.info("Email to %s: %s (%s)", ", ".join(message.recipients()),
                        message.subject, folder / name)
            sent += 1
        return sent
