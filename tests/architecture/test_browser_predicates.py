"""Browser journeys wait on predicates written as functions.

Playwright evaluates a bare-expression predicate with ``eval()`` on every poll after
the first; the pages' Content-Security-Policy has no 'unsafe-eval', so such a wait
passes when the condition already holds and fails with an EvalError when it has to
poll — which is exactly the slow CI runner (stop 25's red run). A function predicate
is evaluated once and then called.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WAITS = {"wait_for_function"}


def _bare_expression_waits():
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in WAITS and node.args):
                continue
            predicate = node.args[0]
            if isinstance(predicate, ast.Constant) and isinstance(predicate.value, str):
                text = predicate.value.strip()
                if "=>" not in text and not text.startswith(("function", "async")):
                    yield f"{path.relative_to(ROOT)}:{node.lineno}"


def test_the_journeys_wait_for_something():
    assert (ROOT / "tests" / "e2e" / "steps.py").read_text().count("wait_for_function") >= 2


def test_every_browser_wait_is_a_function_not_a_bare_expression():
    assert list(_bare_expression_waits()) == []
