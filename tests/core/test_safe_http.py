"""Outbound fetches a user's address can trigger (core/safe_http.py), against real servers.

Every server here is a real socket on a loopback address. Loopback is "private", so
tests that need a fetch to *succeed* allow one address explicitly (127.0.0.2, which
Linux routes to the loopback interface like 127.0.0.1) and keep 127.0.0.1 refused:
that is how a redirect to loopback, or a DNS answer that changes, can be shown refused.
"""

import contextlib
import http.server
import socket
import ssl
import threading
import time

import pytest

from core.safe_http import FetchFailed, FetchRefused, safe_fetch

ALLOWED_HOST = "127.0.0.2"
ONLY_ALLOWED_HOST = [f"{ALLOWED_HOST}/32"]
SECRET = b"SECRET-INTERNAL-BANNER root:x:0:0"


@contextlib.contextmanager
def http_server(routes, *, host="127.0.0.1", port=0, tls_context=None):
    """A real HTTP server answering ``routes[path] -> (status, headers, body)``.

    Yields ``(base_url, seen)``; ``seen`` lists ``(path, Host header, SNI name)`` of
    every request that reached it.
    """
    seen = []
    sni = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            seen.append((self.path, self.headers.get("Host"), sni.get("name")))
            status, headers, body = routes.get(self.path, (404, {}, b"no such page"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass  # keep test output quiet

    server = http.server.ThreadingHTTPServer((host, port), Handler)
    scheme = "http"
    if tls_context is not None:
        def remember_sni(sslsocket, name, context):
            sni["name"] = name

        tls_context.sni_callback = remember_sni
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"{scheme}://{host}:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextlib.contextmanager
def raw_server(answer, *, host=ALLOWED_HOST):
    """A TCP server that runs ``answer(connection)`` for each client; yields its URL."""
    listener = socket.create_server((host, 0))
    listener.settimeout(0.05)  # so the accepting thread notices the end of the test
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(None)
            with connection:
                connection.recv(65536)  # the request
                answer(connection, stop)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{listener.getsockname()[1]}/feed.ics"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def fetch(url, **options):
    options.setdefault("max_bytes", 1024)
    options.setdefault("timeout", 5)
    options.setdefault("allow_private", ONLY_ALLOWED_HOST)
    return safe_fetch(url, **options)


# --- Addresses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed.ics",
        "http://localhost/feed.ics",  # a host name that resolves to loopback
        "http://10.1.2.3/feed.ics",
        "http://192.168.0.10/feed.ics",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata service
        "http://0.0.0.0/feed.ics",  # reaches the local machine on Linux
        "http://[::1]/feed.ics",
        "http://[::ffff:127.0.0.1]/feed.ics",  # IPv4 loopback written as IPv6
        "http://100.64.0.1/feed.ics",  # carrier-grade NAT, not the public internet
    ],
)
def test_private_and_local_addresses_are_refused(url):
    with pytest.raises(FetchRefused, match="is a private network address") as exc:
        safe_fetch(url, max_bytes=1024, timeout=5, allow_private=False)
    assert exc.value.code == "private_address"


def test_a_host_name_resolving_to_loopback_is_refused_before_any_connection():
    with http_server({"/feed.ics": (200, {}, b"BEGIN:VCALENDAR")}) as (base, seen):
        port = base.rsplit(":", 1)[1]
        with pytest.raises(FetchRefused, match="'localhost' is a private network address"):
            safe_fetch(f"http://localhost:{port}/feed.ics", max_bytes=1024, timeout=5,
                       allow_private=False)
    assert seen == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "Only http:// and https://"),
        ("gopher://127.0.0.2/", "Only http:// and https://"),
        ("http://exa mple.com/x.ics", "not a valid web address"),
        ("http:///x.ics", "not a valid web address"),
        ("http://example.com:99999/x.ics", "not a valid web address"),
        ("http://user:pass@127.0.0.2/x.ics", "user name or password"),
    ],
)
def test_addresses_that_are_not_plain_web_addresses_are_refused(url, message):
    with pytest.raises(FetchRefused, match=message):
        fetch(url)


def test_an_allowed_private_network_is_read():
    with http_server({"/feed.ics": (200, {}, b"BEGIN:VCALENDAR")}, host=ALLOWED_HOST) as (
        base, seen
    ):
        result = fetch(f"{base}/feed.ics")
    assert result.status == 200
    assert result.body == b"BEGIN:VCALENDAR"
    assert seen == [("/feed.ics", base.removeprefix("http://"), None)]


# --- Redirects -------------------------------------------------------------------------


def test_a_redirect_to_loopback_is_refused_and_never_followed():
    with (
        http_server({"/admin": (200, {}, SECRET)}) as (internal, internal_seen),
        http_server({"/feed.ics": (302, {"Location": f"{internal}/admin"}, b"")},
                    host=ALLOWED_HOST) as (public, _),
        pytest.raises(FetchRefused, match="redirected to a private network address") as exc,
    ):
        fetch(f"{public}/feed.ics")
    assert exc.value.code == "private_address"
    assert internal_seen == []  # the internal service was never asked


def test_redirects_are_followed_when_every_hop_is_allowed():
    routes = {
        "/old.ics": (301, {"Location": "/moved.ics"}, b""),
        "/moved.ics": (307, {"Location": "/feed.ics"}, b""),
        "/feed.ics": (200, {}, b"BEGIN:VCALENDAR"),
    }
    with http_server(routes, host=ALLOWED_HOST) as (base, seen):
        result = fetch(f"{base}/old.ics")
    assert result.body == b"BEGIN:VCALENDAR"
    assert result.url == f"{base}/feed.ics"
    assert [path for path, _, _ in seen] == ["/old.ics", "/moved.ics", "/feed.ics"]


def test_a_redirect_loop_stops_after_the_limit():
    with (
        http_server({"/loop": (302, {"Location": "/loop"}, b"")}, host=ALLOWED_HOST) as (base,
                                                                                        seen),
        pytest.raises(FetchRefused, match="more than 3 redirects"),
    ):
        fetch(f"{base}/loop", max_redirects=3)
    assert len(seen) == 4


def test_where_a_redirect_points_is_never_repeated():
    """The Location header is the server's words: a refusal after a redirect says
    what happened, not where to."""
    routes = {
        "/broken": (302, {"Location": "http://SECRET internal/"}, b""),
        "/failing": (302, {"Location": "/error"}, b""),
        "/error": (500, {}, SECRET),
    }
    with http_server(routes, host=ALLOWED_HOST) as (base, _):
        with pytest.raises(FetchRefused, match="redirected to something that is not a valid "
                                               "web address") as refused:
            fetch(f"{base}/broken")
        with pytest.raises(FetchFailed, match="^The address it redirected to answered HTTP "
                                              "500.$") as failed:
            fetch(f"{base}/failing")
    assert "SECRET" not in str(refused.value)
    assert "SECRET" not in str(failed.value)


def test_a_redirect_to_another_scheme_is_refused():
    with (
        http_server({"/feed.ics": (302, {"Location": "file:///etc/passwd"}, b"")},
                    host=ALLOWED_HOST) as (base, _),
        pytest.raises(FetchRefused, match="Only http:// and https://"),
    ):
        fetch(f"{base}/feed.ics")


# --- DNS rebinding: the address checked is the address connected to ---------------------


def test_the_connection_goes_to_the_address_that_was_checked(monkeypatch):
    """A DNS server that answers an allowed address first and loopback afterwards
    (DNS rebinding) must not get the fetch to loopback."""
    real_getaddrinfo = socket.getaddrinfo
    answers = iter([ALLOWED_HOST])

    def rebinding_dns(host, *args, **kwargs):
        if host == "calendar.test":
            host = next(answers, "127.0.0.1")
        return real_getaddrinfo(host, *args, **kwargs)

    with http_server({"/feed.ics": (200, {}, b"BEGIN:VCALENDAR")}, host=ALLOWED_HOST) as (
        allowed, allowed_seen
    ):
        port = int(allowed.rsplit(":", 1)[1])
        with http_server({"/feed.ics": (200, {}, SECRET)}, port=port) as (_, loopback_seen):
            monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
            result = fetch(f"http://calendar.test:{port}/feed.ics")
    assert result.body == b"BEGIN:VCALENDAR"
    assert loopback_seen == []
    # The server is asked for the name, not the address it was reached at.
    assert allowed_seen == [("/feed.ics", f"calendar.test:{port}", None)]


def test_https_to_a_pinned_address_checks_the_certificate_of_the_name():
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(server_context)
    client_context = ssl.create_default_context()
    authority.configure_trust(client_context)

    with http_server({"/feed.ics": (200, {}, b"BEGIN:VCALENDAR")},
                     tls_context=server_context) as (base, seen):
        port = base.rsplit(":", 1)[1]
        result = safe_fetch(f"https://localhost:{port}/feed.ics", max_bytes=1024, timeout=5,
                            allow_private=True, ssl_context=client_context)
        assert result.body == b"BEGIN:VCALENDAR"
        assert seen == [("/feed.ics", f"localhost:{port}", "localhost")]  # Host and SNI

        # The same server reached by an address its certificate does not name.
        with pytest.raises(FetchFailed, match="certificate") as exc:
            safe_fetch(f"https://127.0.0.1:{port}/feed.ics", max_bytes=1024, timeout=5,
                       allow_private=True, ssl_context=client_context)
    assert "BEGIN" not in str(exc.value)


# --- Size and time ---------------------------------------------------------------------


def test_a_body_declared_larger_than_the_cap_is_refused_unread():
    with (
        http_server({"/big.ics": (200, {}, b"x" * 2048)}, host=ALLOWED_HOST) as (base, _),
        pytest.raises(FetchRefused, match="larger than 1 KB") as exc,
    ):
        fetch(f"{base}/big.ics", max_bytes=1024)
    assert exc.value.code == "too_large"


def test_a_body_without_a_length_is_cut_off_at_the_cap():
    def endless(connection, stop):
        connection.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        with contextlib.suppress(OSError):
            while not stop.is_set():
                connection.sendall(b"x" * 4096)

    with raw_server(endless) as url, pytest.raises(FetchRefused, match="larger than 1 KB"):
        fetch(url, max_bytes=1024)


def test_a_server_that_trickles_is_cut_off_at_the_deadline():
    """One byte at a time, each well within a socket timeout: only a deadline for the
    whole exchange stops it."""

    def trickle(connection, stop):
        with contextlib.suppress(OSError):
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
                connection.sendall(bytes([byte]))
                if stop.wait(0.05):
                    return

    started = time.monotonic()
    with raw_server(trickle) as url, pytest.raises(FetchFailed, match="within 0.5 s"):
        fetch(url, timeout=0.5)
    # Generous for a loaded machine; without the deadline it would run for minutes.
    assert time.monotonic() - started < 2


def test_a_server_that_never_answers_times_out():
    def silent(connection, stop):
        stop.wait(10)

    with raw_server(silent) as url, pytest.raises(FetchFailed, match="within 0.3 s"):
        fetch(url, timeout=0.3)


# --- Errors never repeat what the server sent -----------------------------------------------


def test_a_service_that_is_not_http_is_not_quoted():
    """Redis, SSH or SMTP on the other end answer with a banner; the error must not
    hand it back to the person who typed the address."""

    def banner(connection, stop):
        connection.sendall(SECRET + b"\r\n")

    with raw_server(banner) as url, pytest.raises(FetchFailed) as exc:
        fetch(url)
    assert "did not answer with valid HTTP" in str(exc.value)
    assert "SECRET" not in str(exc.value)


def test_an_error_status_is_reported_without_its_body():
    with (
        http_server({"/feed.ics": (500, {}, SECRET)}, host=ALLOWED_HOST) as (base, _),
        pytest.raises(FetchFailed, match="answered HTTP 500") as exc,
    ):
        fetch(f"{base}/feed.ics")
    assert exc.value.status == 500
    assert "SECRET" not in str(exc.value)


def test_a_closed_port_is_a_plain_connection_failure():
    with pytest.raises(FetchFailed, match="Connection refused"):
        fetch(f"http://{ALLOWED_HOST}:1/feed.ics")
