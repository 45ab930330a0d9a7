"""Outbound HTTP to addresses people type in, without reaching the server's own network.

Switchboard fetches URLs that users enter: ICS holiday calendars now, outbound
webhooks and vendor status pages next. Each is a way to make the server send a
request on someone's behalf (server-side request forgery), so every such fetch goes
through :func:`safe_fetch`:

* **The address is checked, then used.** The host name is resolved once; if any
  address it resolves to is private, loopback, link-local, reserved or otherwise not
  on the public internet the fetch is refused. The connection is then made to that
  checked address — not to the name again — while the ``Host`` header, TLS SNI and
  the certificate check still use the name. A DNS server that answers a public
  address for the check and ``127.0.0.1`` for the connection (DNS rebinding) gets
  nowhere: there is no second lookup.
* **Redirects are followed, every hop checked.** Calendar publishers commonly send
  ``http://`` to ``https://`` or to a CDN, so refusing redirects would break ordinary
  feeds; each hop goes through the same resolve-check-pin step as the first, so a
  public server redirecting to ``http://127.0.0.1/`` is refused before anything is
  sent there. Callers that must not be redirected (a webhook POST) pass
  ``max_redirects=0``.
* **Size and time are capped.** One deadline covers the whole exchange, redirects
  included, enforced by a watchdog that closes the socket: per-read socket timeouts
  alone let a server that sends one byte a second hold a worker forever. The body
  is read up to ``max_bytes`` (a larger ``Content-Length`` is refused unread), and
  nothing is decompressed.
* **Errors are our words.** Messages name the host and what went wrong; they never
  repeat what the server sent (a status line, a banner, a body), so the fetch cannot
  be used to read an internal service through the error message.

Environment proxies (``HTTP_PROXY``) are not used: the address check would then be
about the proxy, not the destination.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024


class FetchRefused(ValueError):
    """The address (or what it answered) is not something we fetch.

    ``code``: ``invalid_url``, ``private_address``, ``too_many_redirects``,
    ``too_large``.
    """

    def __init__(self, message, *, code):
        super().__init__(message)
        self.code = code


class FetchFailed(OSError):
    """The fetch was attempted and did not work: unreachable, too slow, not HTTP, or
    an error status (``status`` is then set)."""

    def __init__(self, message, *, status=None):
        super().__init__(message)
        self.status = status

    def __str__(self):
        return self.args[0]


@dataclass(frozen=True)
class FetchResult:
    url: str  # after redirects
    status: int
    headers: dict = field(repr=False)
    body: bytes = field(repr=False)


def safe_fetch(url, *, max_bytes: int, timeout: float,
               allow_private: bool | Iterable[str] = False, max_redirects: int = 3,
               headers: dict | None = None, ssl_context: ssl.SSLContext | None = None,
               method: str = "GET", body: bytes | None = None) -> FetchResult:
    """GET ``url`` (or ``method`` with ``body``) under the guards described in the
    module docstring.

    ``allow_private``: ``True`` allows every address (an operator's explicit choice),
    or a list of networks (``["10.20.0.0/16", "192.168.1.5"]``) allows just those
    besides the public internet. ``timeout`` is the deadline in seconds for the
    whole exchange. Raises :class:`FetchRefused` or :class:`FetchFailed`. A request
    with a body (an outbound webhook's POST) is never redirected: it passes
    ``max_redirects=0``, so a redirect is refused rather than re-sent elsewhere.
    """
    if body is not None and max_redirects:
        raise ValueError("A request with a body is not redirected: pass max_redirects=0.")
    policy = _AddressPolicy(allow_private)
    deadline = time.monotonic() + timeout
    for hop in range(max_redirects + 1):
        target = _Target.parse(url, redirected=hop > 0)
        address = _resolve_and_check(target, policy)
        status, response_headers, location, body = _exchange(
            target, address, headers or {}, ssl_context, deadline, timeout, max_bytes,
            method=method, body=body,
        )
        if status in REDIRECT_STATUSES:
            if not location:
                raise FetchFailed(f"{target.subject} answered a redirect without a Location.",
                                  status=status)
            url = urllib.parse.urljoin(url, location.strip())
            continue
        if not 200 <= status < 300:
            raise FetchFailed(f"{target.subject} answered HTTP {status}.", status=status)
        return FetchResult(url=url, status=status, headers=response_headers, body=body)
    raise FetchRefused(f"The address led to more than {max_redirects} redirects.",
                       code="too_many_redirects")


# --- Addresses ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query
    redirected: bool

    # How messages name it: the host the user typed, or, after a redirect, not the
    # Location the server sent (that is the server's words, never repeated).
    @property
    def label(self):
        return "the address it redirected to" if self.redirected else self.host

    @property
    def subject(self):
        return "The address it redirected to" if self.redirected else self.host

    @classmethod
    def parse(cls, url, *, redirected=False):
        invalid = ("The address redirected to something that is not a valid web address."
                   if redirected else f"'{url}' is not a valid web address.")
        if not isinstance(url, str) or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
            raise FetchRefused(invalid, code="invalid_url")
        try:
            parts = urllib.parse.urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FetchRefused(invalid, code="invalid_url") from exc
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchRefused("Only http:// and https:// addresses are read"
                               + (" (the address redirected elsewhere)." if redirected else "."),
                               code="invalid_url")
        if not parts.hostname:
            raise FetchRefused(invalid, code="invalid_url")
        if parts.username is not None or parts.password is not None:
            # Also the classic disguise "http://trusted.example@10.0.0.1/".
            raise FetchRefused("Addresses with a user name or password are not read.",
                               code="invalid_url")
        path = urllib.parse.quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
        if parts.query:
            path += "?" + urllib.parse.quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
        return cls(scheme, parts.hostname, port or (443 if scheme == "https" else 80), path,
                   redirected)


class _AddressPolicy:
    def __init__(self, allow_private):
        self.allow_all = allow_private is True
        self.networks = []
        if allow_private and allow_private is not True:
            if isinstance(allow_private, str):
                allow_private = [allow_private]
            self.networks = [ipaddress.ip_network(n.strip(), strict=False)
                             for n in allow_private if n.strip()]

    def allows(self, ip):
        if self.allow_all:
            return True
        if any(ip in network for network in self.networks if network.version == ip.version):
            return True
        # is_global is False for private, loopback, link-local, shared (100.64/10),
        # reserved and unspecified (0.0.0.0, which reaches this machine) addresses.
        return ip.is_global and not ip.is_multicast


def _ip(address):
    ip = ipaddress.ip_address(address.split("%")[0])
    # "::ffff:127.0.0.1" is 127.0.0.1; judge it as IPv4 (Python 3.11 does not).
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _resolve_and_check(target, policy):
    """The first address of ``target.host``, after checking every address it has."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchFailed(f"Cannot resolve {target.label}.") from exc
    if not infos:
        raise FetchFailed(f"Cannot resolve {target.label}.")
    # Refuse if any answer is private: a name with one public and one private address
    # would otherwise reach the private one whenever it comes first.
    for _, _, _, _, sockaddr in infos:
        if not policy.allows(_ip(sockaddr[0])):
            if target.redirected:
                message = "The address redirected to a private network address."
            else:
                message = f"'{target.host}' is a private network address."
            raise FetchRefused(message, code="private_address")
    family, _, _, _, sockaddr = infos[0]
    return family, sockaddr


# --- The exchange -------------------------------------------------------------------------


def _open_socket(family, sockaddr, timeout):
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Talks to ``host`` (Host header) at the already-checked ``pinned`` address."""

    def __init__(self, host, port, *, pinned, timeout):
        super().__init__(host, port, timeout=timeout)
        self._pinned = pinned

    def connect(self):
        self.sock = _open_socket(*self._pinned, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Same, over TLS: SNI and the certificate check use the host name."""

    def __init__(self, host, port, *, pinned, timeout, context):
        super().__init__(host, port, timeout=timeout, context=context)
        self._pinned = pinned

    def connect(self):
        sock = _open_socket(*self._pinned, self.timeout)
        try:
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


class _Watchdog:
    """Closes the connection's socket at the deadline, whatever it is blocked in."""

    def __init__(self, connection, seconds):
        self.fired = False
        self._connection = connection
        self._timer = threading.Timer(max(seconds, 0), self._fire)
        self._timer.daemon = True

    def _fire(self):
        self.fired = True
        sock = self._connection.sock
        if sock is not None:
            # The plain socket's shutdown, also under TLS: it wakes a blocked read
            # without touching the TLS state another thread is using.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        self._timer.cancel()


def _exchange(target, pinned, headers, ssl_context, deadline, timeout, max_bytes, *,
              method="GET", body=None):
    """One request to the pinned address: ``(status, headers, location, body)``.

    The body of a redirect is not read.
    """
    remaining = deadline - time.monotonic()
    too_slow = f"{target.subject} did not answer within {timeout:g} s."
    if remaining <= 0:
        raise FetchFailed(too_slow)
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(
            target.host, target.port, pinned=pinned, timeout=remaining,
            context=ssl_context or ssl.create_default_context(),
        )
    else:
        connection = _PinnedHTTPConnection(target.host, target.port, pinned=pinned,
                                           timeout=remaining)
    watchdog = _Watchdog(connection, remaining)
    response = None
    try:
        with watchdog:
            connection.request(method, target.path, body=body,
                               headers={"Connection": "close", **headers})
            response = connection.getresponse()
            status = response.status
            response_headers = dict(response.getheaders())
            if status in REDIRECT_STATUSES:
                return status, response_headers, response.getheader("Location"), b""
            if not 200 <= status < 300:
                return status, response_headers, None, b""
            body = _read_capped(response, max_bytes)
        if watchdog.fired:
            # The watchdog's shutdown reads as a normal end of a body without a length.
            raise FetchFailed(too_slow)
        return status, response_headers, None, body
    except (FetchRefused, FetchFailed):
        raise
    except TimeoutError as exc:
        raise FetchFailed(too_slow) from exc
    except ssl.SSLCertVerificationError as exc:
        raise FetchFailed(f"The TLS certificate of {target.label} could not be verified "
                          f"({exc.verify_message}).") from exc
    except ssl.SSLError as exc:
        if watchdog.fired:
            raise FetchFailed(too_slow) from exc
        raise FetchFailed(f"TLS with {target.label} failed ({exc.reason}).") from exc
    except http.client.HTTPException as exc:
        if watchdog.fired:
            raise FetchFailed(too_slow) from exc
        # Never str(exc): BadStatusLine carries the line the server sent.
        raise FetchFailed(f"{target.subject} did not answer with valid HTTP "
                          f"({type(exc).__name__}).") from exc
    except OSError as exc:
        if watchdog.fired:
            raise FetchFailed(too_slow) from exc
        reason = exc.strerror or type(exc).__name__
        raise FetchFailed(f"Cannot connect to {target.label}: {reason}.") from exc
    finally:
        # The response owns the socket once the server said it closes the connection.
        if response is not None:
            response.close()
        connection.close()


def _read_capped(response, max_bytes):
    declared = response.getheader("Content-Length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused(f"The answer is larger than {_size(max_bytes)}.", code="too_large")
    chunks, total = [], 0
    while chunk := response.read(min(_CHUNK, max_bytes + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise FetchRefused(f"The answer is larger than {_size(max_bytes)}.",
                               code="too_large")
    return b"".join(chunks)


def _size(n):
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= factor and n % factor == 0:
            return f"{n // factor} {unit}"
    return f"{n} bytes"
