"""Every system entry on a timeline is typed (issue 12): written as a registered event
code and its parameters (``core.timeline``), worded when drawn — never as English
composed in code. Only what a person wrote (a note, the demo's notes) is free text.

Checked on the source: a call to a timeline writer (``timeline_add``,
``escalation_timeline_add``, ``owner_timeline_add``…) whose text is a string literal or
an f-string, or a direct ``…TimelineEvent.objects.create(text=<literal>)`` without an
``event``, is English stored for a system entry.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py")
              if path.parent.name != "config")
WRITERS = {"timeline_add", "escalation_timeline_add", "owner_timeline_add", "_timeline_add"}


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _composed(node) -> bool:
    """A literal or f-string, or text glued from them: English written in code."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BinOp):
        return _composed(node.left) or _composed(node.right)
    return False


def _name(func) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _offences(path, source=None):
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    tree = ast.parse(source or path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        name = _name(node.func)
        if name in WRITERS:
            text = node.args[2] if len(node.args) > 2 else keywords.get("text")
            if text is not None and _composed(text) and "event" not in keywords:
                yield f"{where}:{node.lineno} {name}(… English …)"
        elif (name == "create" and isinstance(node.func, ast.Attribute)
              and isinstance(node.func.value, ast.Attribute)
              and node.func.value.attr == "objects"
              and _name(node.func.value.value).endswith("TimelineEvent")
              and "text" in keywords and _composed(keywords["text"])
              and "event" not in keywords):
            yield f"{where}:{node.lineno} TimelineEvent.objects.create(text=…)"


def test_the_check_sees_the_writers():
    """Not vacuous: the writers are found and called with events."""
    calls = [node for path in _sources() for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Call) and _name(node.func) in WRITERS]
    typed = [call for call in calls if any(k.arg == "event" for k in call.keywords)]
    assert len(calls) > 40 and len(typed) > 30


def test_the_check_catches_english():
    source = ('timeline_add(incident, "note", f"Severity {old} → {new}", by=by)\n'
              'TimelineEvent.objects.create(incident=i, text="Cards masked.")\n')
    assert len(list(_offences(Path("probe.py"), source))) == 2


@pytest.mark.parametrize("app", APPS)
def test_no_system_entry_is_stored_as_english(app):
    offending = sorted(offence for path in _sources() if path.parts[len(ROOT.parts)] == app
                       for offence in _offences(path))
    assert offending == []
