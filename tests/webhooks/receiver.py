"""A real HTTP receiver on 127.0.0.1 for the webhook tests: records every request and
answers with the statuses it is told (200 once the list runs out)."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    requests: list = field(default_factory=list)
    statuses: list = field(default_factory=list)  # answered in order, then 200
    redirect_to: str = ""
    delay: float = 0.0

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/switchboard"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def start_receiver() -> Receiver:
    receiver = None

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            import time

            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
            if receiver.delay:
                time.sleep(receiver.delay)
            if receiver.redirect_to:
                self.send_response(302)
                self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            answer = b"received" if status < 300 else b"no"
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver
