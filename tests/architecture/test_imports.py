"""How apps may import each other, checked on the source (issue 12's rules).

* ``core`` — the shared kernel — imports no domain app: apps register with it.
* No app imports another app's ``views`` or ``forms``: pages meet through
  ``core.registry`` (panels, list columns, form extensions, page renderers).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = sorted(
    path.parent.name for path in ROOT.glob("*/apps.py")
    if path.parent.name not in {"core", "config"}
)
WEB_MODULES = ("views", "forms")


def _imports(path):
    """Every absolute module name imported anywhere in ``path`` (function-local too)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _sources(app):
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


def test_the_domain_apps_are_found():
    assert {"incidents", "escalations", "playbooks"} <= set(DOMAIN_APPS)


def test_core_imports_no_domain_app():
    offending = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _sources("core") for name in _imports(path)
        if name.split(".")[0] in DOMAIN_APPS
    )
    assert offending == []


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_no_app_imports_another_apps_views_or_forms(app):
    offending = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _sources(app) for name in _imports(path)
        if (parts := name.split(".")) and parts[0] in DOMAIN_APPS and parts[0] != app
        and len(parts) > 1 and parts[1] in WEB_MODULES
    )
    assert offending == []


def test_playbooks_imports_no_vendors():
    """Vendors is optional and playbooks is older: the vendor condition of attach rules
    is registered by vendors (playbooks/conditions.py), never named by playbooks."""
    offending = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _sources("playbooks") for name in _imports(path)
        if name.split(".")[0] == "vendors"
    )
    assert offending == []


def _deferred_imports(path, module):
    """``(line, module, name)`` for every ``from … import name`` inside a function of
    ``path`` (a module named ``module``), relative ones resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom):
                base = package[:len(package) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                yield from ((node.lineno, target, alias.name) for alias in node.names)


def test_every_import_inside_a_function_names_something_that_exists():
    """Imports deferred into a function (to break a cycle, or to load late) run only
    when the function does, and no linter resolves them: a name removed from the
    module they import breaks that path silently until it runs (the sweep's
    set-based tier climb fell back clock by clock for a day over one such name)."""
    import importlib

    missing = []
    for app in [*DOMAIN_APPS, "core", "config"]:
        for path in _sources(app):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for line, target, name in _deferred_imports(path, module):
                imported = importlib.import_module(target)
                if not hasattr(imported, name):
                    try:
                        importlib.import_module(f"{target}.{name}")
                    except ImportError:
                        missing.append(f"{path.relative_to(ROOT)}:{line} {target}.{name}")
    assert missing == []
