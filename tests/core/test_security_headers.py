"""Security headers: a Content-Security-Policy without inline script, a Permissions-Policy,
and API docs that load nothing from other sites. The browser side (nothing the pages,
htmx or the API docs do is blocked) is tests/e2e/test_content_security_policy.py."""

import re

import pytest

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"  # seen signed out (it sends signed-in people home)
PAGES = ["/", LOGIN, "/api/docs/", "/api/docs/redoc/", "/api/health/",
         "/api/teams/", "/incidents/", "/admin/"]


def policy_of(response):
    """The CSP header as ``{directive: [sources]}``."""
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.parametrize("path", PAGES)
def test_pages_and_the_api_send_a_content_security_policy(client, manager, path):
    if path != LOGIN:
        client.force_login(manager)
    response = client.get(path)
    assert response.status_code == 200
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    # Scripts: our files, or inline ones carrying this response's nonce; never
    # attributes (onclick=…), eval or another site.
    assert policy["script-src"][0] == "'self'"
    assert all(source == "'self'" or source.startswith("'nonce-")
               for source in policy["script-src"])
    assert policy["script-src-attr"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_the_nonce_is_new_for_every_response(client, manager):
    client.force_login(manager)
    first, second = (policy_of(client.get("/api/docs/"))["script-src"] for _ in range(2))
    assert first[1].startswith("'nonce-")
    assert first != second


@pytest.mark.parametrize("path", ["/", "/api/docs/", "/api/docs/redoc/", LOGIN])
def test_every_inline_script_and_style_carries_the_nonce(client, manager, path):
    if path != LOGIN:
        client.force_login(manager)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    nonces = {source.removeprefix("'nonce-").removesuffix("'")
              for source in policy_of(response)["script-src"] if source.startswith("'nonce-")}
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
        if "src=" in tag or 'type="application/json"' in tag:
            continue  # a file, or data the browser never runs
        found = re.search(r'nonce="([^"]+)"', tag)
        assert found and found.group(1) in nonces, f"inline without the nonce: {tag}"
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler attribute"


@pytest.mark.parametrize("path", ["/api/docs/", "/api/docs/redoc/"])
def test_the_api_docs_load_nothing_from_other_sites(client, manager, path):
    client.force_login(manager)
    html = client.get(path).content.decode()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html), html
    # No address on another host anywhere in the page, scripts' strings included (not a
    # bare "cdn" substring: the page's random CSRF token holds one now and then).
    assert re.findall(r"(?:https?:)?//[a-z0-9-]+(?:\.[a-z0-9-]+)+", html, re.IGNORECASE) == []


def test_only_the_redoc_page_allows_inline_styles_and_blob_workers(client, manager):
    """Redoc injects a stylesheet while it loads and builds its search worker from a
    blob: (core/api/docs.py); that page alone allows it, and its scripts stay strict."""
    client.force_login(manager)
    redoc = policy_of(client.get("/api/docs/redoc/"))
    assert redoc["style-src"] == ["'self'", "'unsafe-inline'"]
    assert redoc["worker-src"] == ["'self'", "blob:"]
    assert redoc["script-src"][0] == "'self'" and redoc["script-src"][1].startswith("'nonce-")
    assert len(redoc["script-src"]) == 2
    for path in ["/", "/api/docs/"]:
        policy = policy_of(client.get(path))
        assert "'unsafe-inline'" not in policy["style-src"]
        assert "worker-src" not in policy


@pytest.mark.parametrize("path", [LOGIN, "/api/health/"])
def test_device_features_are_turned_off(client, path):
    header = client.get(path).headers["Permissions-Policy"]
    features = dict(part.strip().split("=", 1) for part in header.split(","))
    for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
        assert features[feature] == "()"


def test_the_redoc_bundle_is_the_sidecars_without_its_cdn_image(client):
    response = client.get("/api/docs/redoc.standalone.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    bundle = response.content.decode()
    assert "Redoc" in bundle
    assert "cdn.redoc.ly" not in bundle
    # Its source map is beside the original file, not beside this URL.
    assert not bundle.rstrip().splitlines()[-1].startswith("//# sourceMappingURL")
