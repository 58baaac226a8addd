"""The plan file, version 1: parse, validate and write it canonically. Plain data, no ORM."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from hrap.core.errors import Problem
from hrap.core.text import unsafe_character

FORMAT = "hrap-plan/1"
SCHEMA_PATH = Path(__file__).parent / "schema" / "hrap-plan-1.schema.json"

# A child must be of a lower rank than its parent: parts hold sections or tasks, tasks hold
# sub-tasks, never the other way round.
KIND_RANK = {"introduction": 0, "part": 0, "section": 1, "task": 2, "subtask": 3}
MAX_INTEGER_DIGITS = 18  # what Target.value stores

PLAN_KEYS = (
    "slug",
    "title",
    "jurisdiction",
    "period",
    "issued_by",
    "adopted",
    "languages",
    "predecessor",
    "sources",
    "front_matter",
)
NODE_KEYS = (
    "ref",
    "kind",
    "number",
    "title",
    "text",
    "targets",
    "deadline",
    "responsible",
    "details",
    "children",
)
TARGET_KEYS = (
    "indicator",
    "value",
    "unit",
    "direction",
    "relative",
    "year",
    "binding",
    "span",
    "baseline",
    "beyond_period",
)
# Keys that came after the first files were written: the canonical form has them only when set,
# so files without them keep their bytes.
OPTIONAL_KEYS = {"front_matter", "deadline", "responsible", "details", "baseline", "beyond_period"}
SOURCE_KEYS = ("file", "sha256", "language", "url")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


# What a hostile file could use to exhaust memory, time or the stack before it is refused.
MAX_BYTES = 64 * 2**20
MAX_DEPTH = 64  # JSON nesting; the deepest plan (part > section > task > sub-task) needs ~14
MAX_DECIMAL_PLACES = 6  # what Target.value stores
MAX_MESSAGE = 300
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _child(path: str, key: Any) -> str:
    """The JSON path of `key` below `path`, on one line whatever the key holds."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _NAME.match(key):
        return f"{path}.{key}"
    shown = json.dumps(key)  # quoted, with control characters and surrogates escaped
    return f"{path}[{shown[:60]}{'…' if len(shown) > 60 else ''}]"


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path = _child(path, part)
    return path


def _short(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


class _Unreadable:
    """A value JSON does not allow or HRAP cannot store, kept in its place until it is reported:
    NaN and Infinity, integers too long to convert."""

    def __init__(self, what: str) -> None:
        self.what = what


class _Duplicated(dict[str, Any]):
    """An object in which some key appears more than once (JSON keeps the last silently)."""

    twice: list[str]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    seen: set[str] = set()
    twice: set[str] = set()
    for key, _ in pairs:
        (twice if key in seen else seen).add(key)
    marked = _Duplicated(found)
    marked.twice = sorted(twice)
    return marked


def _integer(text: str) -> int | _Unreadable:
    digits = len(text.lstrip("-"))
    if digits > 40:  # never converted: int() of thousands of digits is slow, or refused
        return _Unreadable(f"a number of {digits} digits is too large")
    return int(text)


def _constant(name: str) -> _Unreadable:
    return _Unreadable(f"{name} is not a number (JSON has no {name})")


def _number_problem(number: int | Decimal) -> str | None:
    if isinstance(number, int):
        if abs(number) >= 10**MAX_INTEGER_DIGITS:
            return f"{number} has too many digits"
        return None
    if not number.is_finite():
        return f"{number} is not a number"
    if not number:
        return None  # zero, whatever its exponent
    if number.adjusted() >= MAX_INTEGER_DIGITS:
        shown = str(number) if len(str(number)) <= 40 else f"{str(number)[:20]}…"
        return f"{shown} has too many digits"
    if _decimal_places(number) > MAX_DECIMAL_PLACES:
        shown = str(number) if len(str(number)) <= 40 else f"{str(number)[:20]}…"
        return f"{shown} has more than {MAX_DECIMAL_PLACES} decimal places"
    return None


def _decimal_places(number: Decimal) -> int:
    """Places after the point, trailing zeros aside (1.500 has one); exact whatever the size,
    where normalize() would round to the context's 28 digits first."""
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    zeros = len(digits) - len(bytes(digits).rstrip(b"\0"))
    if zeros == len(digits):
        return 0
    return max(0, -(exponent + zeros))


def _reading_problems(document: Any) -> list[Problem]:
    """What stops a document from being checked at all: nesting too deep, numbers that cannot be
    stored, keys given twice. Iterative, so no document can exhaust the stack."""
    problems = []
    pending: list[tuple[Any, str, int]] = [(document, "$", 0)]
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, dict | list) and depth >= MAX_DEPTH:
            problems.append(Problem(path, f"nested more than {MAX_DEPTH} levels deep"))
            continue
        if isinstance(value, _Unreadable):
            problems.append(Problem(path, value.what))
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            found = _number_problem(value)
            if found:
                problems.append(Problem(path, found))
        elif isinstance(value, float):  # a document built in code, not read from a file
            found = _number_problem(Decimal(repr(value)))
            if found:
                problems.append(Problem(path, found))
        elif isinstance(value, dict):
            for key in getattr(value, "twice", []):
                problems.append(
                    Problem(_child(path, key), "the key is given twice (the first would be lost)")
                )
            pending.extend((v, _child(path, k), depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            pending.extend((v, _child(path, i), depth + 1) for i, v in enumerate(value))
    return sorted(problems, key=lambda p: p.where)


def parse(raw: bytes) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The document in `raw`, or the problems that stop it being read at all."""
    if len(raw) > MAX_BYTES:
        return None, [Problem("", f"the file is larger than {MAX_BYTES // 2**20} MB")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(f"byte {exc.start}", "the file is not UTF-8 text")]
    if not text.strip():
        return None, [Problem("", "the file is empty")]
    try:
        document = json.loads(
            text,
            parse_float=Decimal,
            parse_int=_integer,
            parse_constant=_constant,
            object_pairs_hook=_object,
        )
    except json.JSONDecodeError as exc:
        return None, [Problem(f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}")]
    except RecursionError:
        return None, [Problem("$", f"nested more than {MAX_DEPTH} levels deep")]
    if not isinstance(document, dict):
        return None, [Problem("$", "the top level must be an object")]
    problems = _reading_problems(document)
    if problems:
        return None, problems
    return document, []


def gettext_noop(message: str) -> str:
    """Marks a message for the interface's catalog (this module imports no Django); whoever
    shows it to a person translates it then."""
    return message


YEAR_OUTSIDE_PERIOD = gettext_noop(
    "%(year)s lies outside the plan's period %(start)s–%(end)s; if the target runs beyond the "
    "plan, say so"
)
YEAR_BEFORE_PERIOD = gettext_noop("%(year)s is before the plan's period %(start)s–%(end)s")
BASELINE_AFTER_DEADLINE = gettext_noop(
    "the baseline year %(baseline)s comes after the deadline year %(year)s"
)
BASELINE_AFTER_PERIOD = gettext_noop(
    "the baseline year %(baseline)s lies after the plan's period %(start)s–%(end)s"
)


def target_year_problems(
    *,
    start: int | None,
    end: int | None,
    year: int | None,
    baseline_year: int | None,
    beyond_period: bool,
) -> list[tuple[str, str, dict[str, int]]]:
    """The one rule for a target's years against its plan's period: (field, message, params).

    The deadline lies in the period, or after it when the target is stated to run beyond the
    plan (a 2035 goal in a 2021-2025 plan); never before it. A baseline is where the measure
    stood before, so it may precede the period (a 2020 baseline is usual), but never follows
    the deadline, nor the period unless the target runs beyond it. Unknown periods (a draft
    that does not say) check only the baseline against the deadline.
    """
    problems: list[tuple[str, str, dict[str, int]]] = []
    known = start is not None and end is not None
    period = {"start": start or 0, "end": end or 0}
    if year is not None and known:
        assert start is not None and end is not None
        if year < start:
            problems.append(("year", YEAR_BEFORE_PERIOD, {"year": year, **period}))
        elif year > end and not beyond_period:
            problems.append(("year", YEAR_OUTSIDE_PERIOD, {"year": year, **period}))
    if baseline_year is not None:
        if year is not None and baseline_year > year:
            params = {"baseline": baseline_year, "year": year}
            problems.append(("baseline_year", BASELINE_AFTER_DEADLINE, params))
        elif known and end is not None and baseline_year > end and not beyond_period:
            params = {"baseline": baseline_year, **period}
            problems.append(("baseline_year", BASELINE_AFTER_PERIOD, params))
    return problems


def period_problems(document: dict[str, Any]) -> list[Problem]:
    """Targets whose years do not fit the plan's period (`target_year_problems`), by path."""
    period = document["plan"].get("period") or {}
    problems = []
    for path, node, _parent in _walk(document["nodes"], "$.nodes", None):
        for index, target in enumerate(node.get("targets", [])):
            baseline = target.get("baseline") or {}
            for field, message, params in target_year_problems(
                start=period.get("start"),
                end=period.get("end"),
                year=target.get("year"),
                baseline_year=baseline.get("year"),
                beyond_period=bool(target.get("beyond_period")),
            ):
                where = "year" if field == "year" else "baseline.year"
                problems.append(Problem(f"{path}.targets[{index}].{where}", message % params))
    return problems


def validate(document: dict[str, Any]) -> list[Problem]:
    """Every problem in the document: the schema's, then the rules a schema cannot say."""
    problems = _reading_problems(document)
    if problems:
        return problems
    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    problems = [
        Problem(_json_path(error.absolute_path), _short(error.message))
        for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))
    ]
    if problems:
        return problems
    return list(_rule_problems(document))


def _walk(
    nodes: list[dict[str, Any]], path: str, parent_kind: str | None
) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    for index, node in enumerate(nodes):
        node_path = f"{path}[{index}]"
        yield node_path, node, parent_kind
        yield from _walk(node.get("children", []), f"{node_path}.children", node["kind"])


def _control_characters(value: Any, path: str) -> Iterator[Problem]:
    if isinstance(value, str):
        unsafe = unsafe_character(value)
        if unsafe:
            yield Problem(path, unsafe)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _control_characters(item, _child(path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _control_characters(item, f"{path}[{index}]")


def _rule_problems(document: dict[str, Any]) -> Iterator[Problem]:
    yield from _control_characters(document, "$")
    plan = document["plan"]
    languages = set(plan["languages"])
    if plan["period"] is not None and plan["period"]["start"] > plan["period"]["end"]:
        yield Problem("$.plan.period", "start is after end")

    def unknown_languages(texts: dict[str, str], where: str) -> Iterator[Problem]:
        for tag in texts:
            if tag not in languages:
                yield Problem(
                    _child(where, tag),
                    f"language {tag!r} is not in $.plan.languages {sorted(languages)}",
                )

    yield from unknown_languages(plan["title"], "$.plan.title")
    first_seen: dict[str, str] = {}
    for path, node, parent_kind in _walk(document["nodes"], "$.nodes", None):
        ref = node["ref"]
        if ref in first_seen:
            yield Problem(f"{path}.ref", f"{ref!r} is used twice (first at {first_seen[ref]})")
        else:
            first_seen[ref] = path
        if parent_kind is not None and KIND_RANK[node["kind"]] <= KIND_RANK[parent_kind]:
            yield Problem(f"{path}.kind", f"a {node['kind']} cannot be inside a {parent_kind}")
        for field in ("number", "title", "text"):
            yield from unknown_languages(node.get(field, {}), f"{path}.{field}")
        for name, texts in node.get("details", {}).items():
            yield from unknown_languages(texts, _child(f"{path}.details", name))
        for r_index, body in enumerate(node.get("responsible", [])):
            yield from unknown_languages(body["name"], f"{path}.responsible[{r_index}].name")
        for t_index, target in enumerate(node.get("targets", [])):
            t_path = f"{path}.targets[{t_index}]"
            yield from unknown_languages(target["indicator"], f"{t_path}.indicator")
            yield from unknown_languages(target.get("span", {}), f"{t_path}.span")


def _texts(texts: dict[str, str] | None, order: list[str]) -> dict[str, str]:
    texts = texts or {}
    ranked = sorted(texts, key=lambda tag: (order.index(tag) if tag in order else len(order), tag))
    return {tag: texts[tag] for tag in ranked}


def _number(value: Any) -> int | float | Decimal:
    value = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def canonical(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every key present, in one order, so equal plans give equal bytes."""
    plan = document["plan"]
    order = list(plan["languages"])

    def target(t: dict[str, Any]) -> dict[str, Any]:
        baseline = t.get("baseline")
        return _set(
            {
                "indicator": _texts(t["indicator"], order),
                "value": _number(t["value"]),
                "unit": t["unit"],
                "direction": t["direction"],
                "relative": t["relative"],
                "year": t.get("year"),
                "binding": t.get("binding"),
                "span": _texts(t.get("span"), order),
                "baseline": baseline
                and {"value": _number(baseline["value"]), "year": baseline.get("year")},
                "beyond_period": bool(t.get("beyond_period")),
            }
        )

    def node(n: dict[str, Any]) -> dict[str, Any]:
        deadline = n.get("deadline")
        return _set(
            {
                "ref": n["ref"],
                "kind": n["kind"],
                "number": _texts(n.get("number"), order),
                "title": _texts(n.get("title"), order),
                "text": _texts(n.get("text"), order),
                "targets": [target(t) for t in n.get("targets", [])],
                "deadline": deadline
                and {
                    "year": deadline.get("year"),
                    "date": deadline.get("date"),
                    "text": _texts(deadline.get("text"), order),
                },
                "responsible": [
                    {"name": _texts(r["name"], order), "role": r.get("role")}
                    for r in n.get("responsible", [])
                ],
                "details": {
                    name: _texts(texts, order)
                    for name, texts in sorted(n.get("details", {}).items())
                },
                "children": [node(c) for c in n.get("children", [])],
            }
        )

    return {
        "format": FORMAT,
        "plan": _set(
            {
                "slug": plan["slug"],
                "title": _texts(plan["title"], order),
                "jurisdiction": plan["jurisdiction"],
                "period": plan["period"]
                and {"start": plan["period"]["start"], "end": plan["period"]["end"]},
                "issued_by": [_texts(body, order) for body in plan.get("issued_by", [])],
                "adopted": plan.get("adopted"),
                "languages": order,
                "predecessor": plan.get("predecessor"),
                "sources": [
                    {key: source[key] for key in SOURCE_KEYS if key in source}
                    for source in plan.get("sources", [])
                ],
                "front_matter": [
                    {
                        "kind": part["kind"],
                        "title": _texts(part.get("title"), order),
                        "text": _texts(part.get("text"), order),
                    }
                    for part in plan.get("front_matter", [])
                ],
            }
        ),
        "nodes": [node(n) for n in document["nodes"]],
    }


def _set(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry without the later, optional keys that are empty (see OPTIONAL_KEYS)."""
    return {k: v for k, v in entry.items() if k not in OPTIONAL_KEYS or v}


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            # Decimals are written as JSON numbers with their exact digits.
            return float(o)
        return super().default(o)


def dumps(document: dict[str, Any]) -> str:
    """The canonical text of a plan file: two-space indent, UTF-8 as is, final newline."""
    return json.dumps(canonical(document), ensure_ascii=False, indent=2, cls=_Encoder) + "\n"
