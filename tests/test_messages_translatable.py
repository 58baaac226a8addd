"""Every message the server writes for a person goes through gettext.

An AST scan of `src/hrap` (tests, migrations, the CLI and the ingest library apart) finds the
call sites that carry a message to a person: the messages framework, form and validation
errors, the errors HRAP shows (`InvalidInput`'s problems, `InvalidTransition`, `IngestError`,
`EditConflict`), and a bare string literal or f-string there fails the test. A message is
translatable when it is a call of `_`/`gettext`/`ngettext`/`pgettext` (or their lazy forms),
such a call formatted with `%`, or a name (a constant marked where it is defined)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "hrap"
# Not shown to people in the interface language: tests, schema history, the operators' CLI,
# the pure ingest library (its report is written once, at ingest time), the API's answers
# to programs, and the demo's synthetic data.
# The plan file's problems name JSON paths for the CLI and the API, as jsonschema's own do.
SKIPPED_PARTS = {"tests", "migrations", "management", "ingest", "api", "demo"}
# `core/audit.py`'s chain breaks are read by operators through `hrap audit verify`.
SKIPPED_FILES = {"cli.py", "conftest.py", "planfile.py", "audit.py"}
TRANSLATORS = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "gettext_noop",
    "format_lazy",
}
# Errors whose words reach a person (404 and 403 pages show fixed, translated words instead).
SHOWN_ERRORS = {"InvalidTransition", "IngestError", "HrapError", "ValidationError"}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error", "add_message"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def untranslated(node: ast.expr | None) -> bool:
    """A bare literal: a string constant, an f-string, a literal formatted with % or .format,
    or a conditional one of whose branches is one."""
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(v, ast.Constant) and any(c.isalpha() for c in str(v.value))
            for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return untranslated(node.left) or (
            isinstance(node.op, ast.Add) and untranslated(node.right)
        )
    if isinstance(node, ast.IfExp):
        return untranslated(node.body) or untranslated(node.orelse)
    if isinstance(node, ast.Call):
        if _name(node.func) in TRANSLATORS:
            return False
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
            return untranslated(node.func.value) if node.func.attr == "format" else False
    return False


def message_arguments(call: ast.Call) -> Iterator[ast.expr]:
    """The arguments of `call` that become words a person reads."""
    name = _name(call.func)
    owner = call.func.value if isinstance(call.func, ast.Attribute) else None
    keywords = {k.arg: k.value for k in call.keywords}
    if owner is not None and _name(owner) == "messages" and name in MESSAGE_LEVELS:
        index = 2 if name == "add_message" else 1
        if len(call.args) > index:
            yield call.args[index]
        if "message" in keywords:
            yield keywords["message"]
    elif name in SHOWN_ERRORS:
        if call.args:
            yield call.args[0]
        if "message" in keywords:
            yield keywords["message"]
    elif name == "Problem":
        if len(call.args) > 1:
            yield call.args[1]
        if "what" in keywords:
            yield keywords["what"]
    elif name in ("add_error", "bad", "refuse") and len(call.args) > 1:
        yield call.args[1]  # a form's error, an upload cell's or a sheet row's problem
    elif name in ("broken", "Unreadable", "EditConflict") and call.args:
        yield call.args[0]  # an unreadable workbook or cell


def offenders() -> list[str]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE)
        if SKIPPED_PARTS & set(relative.parts) or path.name in SKIPPED_FILES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for argument in message_arguments(node):
                    if untranslated(argument):
                        found.append(f"{relative}:{argument.lineno}: {ast.unparse(argument)[:70]}")
    return found


def test_every_message_to_a_person_goes_through_gettext() -> None:
    assert offenders() == []


def test_the_scan_sees_a_bare_message() -> None:
    bare = ast.parse(
        'messages.success(request, "Saved.")\n'
        'raise ValidationError(f"{x} is wrong")\n'
        'Problem("row 2", "missing columns: %s" % x)\n'
        'form.add_error(None, "No.")\n'
        'messages.error(request, _("Fine."))\n'
        'raise InvalidTransition(_("%(a)s no") % {"a": 1})\n'
    )
    calls = [n for n in ast.walk(bare) if isinstance(n, ast.Call)]
    flagged = [a for c in calls for a in message_arguments(c) if untranslated(a)]
    assert len(flagged) == 4
