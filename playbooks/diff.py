"""Comparing two versions of a playbook: the unified text the API gives, and the
step-by-step, side-by-side rows the playbook page shows."""

import difflib

from .models import PlaybookVersion


def version_diff(older: PlaybookVersion, newer: PlaybookVersion) -> list[str]:
    """A unified diff of two versions' steps, as text lines (for the playbook page)."""
    def lines(version):
        found = []
        for step in version.steps.order_by("position", "pk"):
            due = f", due {step.due_offset}" if step.due_offset else ""
            role = f", {step.responsible_role}" if step.responsible_role else ""
            need = "required" if step.required else "optional"
            found.append(f"{step.position}. {step.title} [{need}{role}{due}, evidence: "
                         f"{step.get_evidence_display().lower()}]")
            found += [f"    {line}" for line in step.instructions.splitlines()]
        return found

    return list(difflib.unified_diff(lines(older), lines(newer), f"v{older.number}",
                                     f"v{newer.number}", lineterm="", n=2))


DIFF_FIELDS = [("title", "Title"), ("required", "Required"), ("responsible_role", "Role"),
               ("due_offset", "Due"), ("evidence", "Evidence"), ("instructions", "Instructions")]


def _step_facts(step) -> dict:
    return {"title": step.title, "required": "required" if step.required else "optional",
            "responsible_role": step.responsible_role or "—",
            "due_offset": str(step.due_offset) if step.due_offset else "—",
            "evidence": step.get_evidence_display().lower(),
            "instructions": step.instructions.strip()}


def version_step_diff(older: PlaybookVersion, newer: PlaybookVersion) -> list[dict]:
    """The two versions side by side, step by step, for people: each row is a step of
    the older version and its counterpart in the newer one (matched by title, in
    order), with ``status`` same / changed / added / removed and, when changed, the
    fields that differ. (``version_diff`` keeps the unified text for the API.)"""
    old_steps = list(older.steps.order_by("position", "pk"))
    new_steps = list(newer.steps.order_by("position", "pk"))
    matcher = difflib.SequenceMatcher(a=[s.title for s in old_steps],
                                      b=[s.title for s in new_steps], autojunk=False)
    rows = []

    def row(old, new, status):
        old_facts = _step_facts(old) if old else None
        new_facts = _step_facts(new) if new else None
        changed = [name for name, _ in DIFF_FIELDS
                   if old_facts and new_facts and old_facts[name] != new_facts[name]]
        if status == "same" and changed:
            status = "changed"
        rows.append({"old": old, "new": new, "old_facts": old_facts, "new_facts": new_facts,
                     "status": status, "changed": changed,
                     "changed_labels": [label for name, label in DIFF_FIELDS if name in changed]})

    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            for old, new in zip(old_steps[a0:a1], new_steps[b0:b1], strict=True):
                row(old, new, "same")
        elif tag == "replace":
            # Renamed in place: pair them while both sides have steps left.
            olds, news = old_steps[a0:a1], new_steps[b0:b1]
            for i in range(max(len(olds), len(news))):
                old = olds[i] if i < len(olds) else None
                new = news[i] if i < len(news) else None
                row(old, new, "changed" if old and new else ("removed" if old else "added"))
        elif tag == "delete":
            for old in old_steps[a0:a1]:
                row(old, None, "removed")
        else:
            for new in new_steps[b0:b1]:
                row(None, new, "added")
    return rows
