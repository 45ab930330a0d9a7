"""Stand-ins for the outside mail server (not for our code): a server that refuses."""

from django.core.mail.backends.base import BaseEmailBackend


class RefusingEmailBackend(BaseEmailBackend):
    """Behaves like an SMTP server that is down: every send raises."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server refused the connection")
