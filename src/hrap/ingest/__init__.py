"""Reading plan documents into plan files: a pure library (no Django, no database).

result = ingest([Path("plan_zh.docx"), Path("plan_en.pdf")], slug="cn-nhrap-2021-2025")
result.document  # the plan file (hrap-plan/1) as a dict
result.report    # what was aligned, folded or left unmatched, one line each
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from hrap.core.errors import IngestError
from hrap.ingest.dates import deadline_of
from hrap.ingest.metadata import jurisdiction_in, parse_period, period_in
from hrap.ingest.readers import read
from hrap.ingest.structure import ParsedDocument, ParsedNode, parse
from hrap.ingest.targets import FoundTarget

__all__ = [
    "IngestError",
    "IngestResult",
    "ingest",
    "ingest_documents",
    "parse_period",
    "read_and_parse",
]

FORMAT = "hrap-plan/1"


@dataclass
class IngestResult:
    document: dict[str, Any]
    report: list[str] = field(default_factory=list)
    parsed: list[ParsedDocument] = field(default_factory=list)


def read_and_parse(
    path: Path, progress: Callable[[str, int, int], None] | None = None
) -> ParsedDocument:
    def reading(done: int, total: int) -> None:
        if progress:
            progress(f"reading {path.name}", done, total)

    blocks = read(path, reading)
    if progress:
        progress(f"parsing {path.name}", 0, 1)
    try:
        parsed = parse(blocks, name=path.name)
    except IngestError as exc:
        raise IngestError(exc.what, where=str(path)) from None
    if progress:
        progress(f"parsing {path.name}", 1, 1)
    return parsed


def ingest(
    paths: list[Path],
    *,
    slug: str | None = None,
    jurisdiction: str | None = None,
    period: tuple[int, int] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> IngestResult:
    """Read, parse and (for several languages) align documents of one plan into a plan file."""
    if not paths:
        raise IngestError("no document given")
    parsed = [read_and_parse(path, progress) for path in paths]
    languages = [doc.language for doc in parsed]
    duplicates = {lang for lang in languages if languages.count(lang) > 1}
    if duplicates:
        raise IngestError(
            f"two documents are in {sorted(duplicates)[0]}: give one document per language"
        )
    sources = [
        {
            "file": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "language": doc.language,
        }
        for path, doc in zip(paths, parsed, strict=True)
    ]
    result = ingest_documents(
        parsed,
        slug=slug,
        jurisdiction=jurisdiction,
        period=period,
        names=[p.name for p in paths],
    )
    result.document["plan"]["sources"] = sources
    return result


def ingest_documents(
    parsed: list[ParsedDocument],
    *,
    slug: str | None = None,
    jurisdiction: str | None = None,
    period: tuple[int, int] | None = None,
    names: list[str] | None = None,
) -> IngestResult:
    report: list[str] = []
    for doc in parsed:
        report.extend(doc.notes)
    languages = [doc.language for doc in parsed]
    titles = {doc.language: _clean_title(doc.title) for doc in parsed if doc.title}
    # Where a plan says what it is: its title first, then its first page (the issuing body,
    # the cover), then the file's name.
    evidence = [("the title", t) for t in titles.values()]
    evidence += [("the first page", " ".join(doc.preamble)[:3000]) for doc in parsed]
    evidence += [
        ("the front matter", " ".join(" ".join(f.text) for f in doc.front_matter)[:3000])
        for doc in parsed
    ]
    evidence += [("the file name", name) for name in names or []]
    if jurisdiction:
        report.append(f"jurisdiction {jurisdiction.upper()}: given (--jurisdiction)")
    else:
        found = jurisdiction_in(evidence)
        jurisdiction = found.value if isinstance(found.value, str) else None
        report.append(found.how)
    if period:
        report.append(f"period {period[0]}-{period[1]}: given (--period)")
    else:
        found_period = period_in(evidence)
        period = found_period.value if isinstance(found_period.value, tuple) else None
        report.append(found_period.how)
    trees = [(doc.language, doc.nodes) for doc in parsed]
    nodes = _merge(trees, report, period[0] if period else None)
    document = {
        "format": FORMAT,
        "plan": {
            "slug": slug or _slug(titles, names),
            "title": titles or {languages[0]: (names or ["plan"])[0]},
            "jurisdiction": jurisdiction.upper() if jurisdiction else None,
            "period": {"start": period[0], "end": period[1]} if period else None,
            "issued_by": [],
            "adopted": None,
            "languages": languages,
            "predecessor": None,
            "sources": [],
            "front_matter": _front_matter(parsed),
        },
        "nodes": nodes,
    }
    _clean(document)
    counts = _counts(nodes)
    report.insert(
        0,
        f"{counts['part']} parts, {counts['section']} sections, {counts['task']} tasks, "
        f"{counts['subtask']} sub-tasks, {counts['targets']} targets "
        f"({', '.join(languages)})",
    )
    front = [str(part["kind"]) for part in _front_matter(parsed)]
    if front:
        report.append(f"front matter kept apart: {', '.join(front)}")
    return IngestResult(document=document, report=report, parsed=parsed)


def _front_matter(parsed: list[ParsedDocument]) -> list[dict[str, Any]]:
    """Front matter of every language, matched by position and kind."""
    merged: list[dict[str, Any]] = []
    for doc in parsed:
        for index, part in enumerate(doc.front_matter):
            if index < len(merged) and merged[index]["kind"] == part.kind:
                entry = merged[index]
            else:
                entry = {"kind": part.kind, "title": {}, "text": {}}
                merged.append(entry)
            if part.title:
                entry["title"][doc.language] = part.title
            text = "\n\n".join(part.text).strip()
            if text:
                entry["text"][doc.language] = text
    return merged


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(value: Any) -> Any:
    """Control characters a text layer leaks have no place in a plan file: dropped in place."""
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _clean(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _clean(item)
    elif isinstance(value, str):
        return _CONTROL.sub("", value)
    return value


def _counts(nodes: list[dict[str, Any]]) -> dict[str, int]:
    counts = {"introduction": 0, "part": 0, "section": 0, "task": 0, "subtask": 0, "targets": 0}

    def visit(items: list[dict[str, Any]]) -> None:
        for n in items:
            counts[n["kind"]] += 1
            counts["targets"] += len(n["targets"])
            visit(n["children"])

    visit(nodes)
    return counts


def _clean_title(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip()


def _slug(titles: dict[str, str], names: list[str] | None) -> str:
    for text in [titles.get("en", ""), *(names or [])]:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
        if slug:
            return slug
    return "plan"


def _number_label(node: ParsedNode) -> str:
    if node.style in ("han-paren", "digit-paren", "letter-paren", "roman-paren"):
        match = re.match(r"^[（(]\s*\S+?\s*[)）]", node.source)
        return match.group() if match else node.number
    return node.number


def _storable(value: Decimal) -> bool:
    """Finite, and at most 15 digits before the point (what a target's value column holds)."""
    return value.is_finite() and (value == 0 or value.copy_abs().adjusted() < 15)


def _number(value: Any) -> int | float:
    return int(value) if value == int(value) else float(value)


def _target_entry(target: FoundTarget, language: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "indicator": {language: target.indicator},
        "value": _number(target.value),
        "unit": target.unit[:32],
        "direction": target.direction,
        "relative": target.relative,
        "year": target.year,
        "binding": None,
        "span": {language: target.span},
    }
    if target.baseline is not None:
        base_value, base_year = target.baseline
        entry["baseline"] = {"value": _number(base_value), "year": base_year}
    return entry


def _merge_targets(
    per_language: list[tuple[str, list[FoundTarget]]],
) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for language, targets in per_language:
        pending = list(merged)
        for target in targets:
            if not _storable(target.value):
                continue  # "999…9 judges": no plan means a number with more digits than a store
            if target.baseline is not None and not _storable(target.baseline[0]):
                target.baseline = None
            entry = _target_entry(target, language)
            twin = next(
                (
                    m
                    for m in pending
                    if (m["value"], m["unit"], m["direction"], m["relative"])
                    == (entry["value"], entry["unit"], entry["direction"], entry["relative"])
                    and language not in m["indicator"]
                ),
                None,
            )
            if twin is not None:
                twin["indicator"][language] = target.indicator
                twin["span"][language] = target.span
                twin["year"] = twin["year"] or target.year
                pending.remove(twin)
            else:
                merged.append(entry)
    return merged


def _merge(
    trees: list[tuple[str, list[ParsedNode]]], report: list[str], start: int | None = None
) -> list[dict[str, Any]]:
    """One tree carrying every language; nodes found in one language only are kept and reported."""
    order: list[str] = []
    by_ref: dict[str, list[tuple[str, ParsedNode]]] = {}
    for language, nodes in trees:
        # A node one document has and the others lack goes where that document puts it: right
        # after the node it follows there (an introduction stays first), not at the end.
        at = 0
        for node in nodes:
            if node.ref not in by_ref:
                order.insert(at, node.ref)
                by_ref[node.ref] = []
            at = order.index(node.ref) + 1
            by_ref[node.ref].append((language, node))
    merged = []
    all_languages = [language for language, _ in trees]
    for ref in order:
        versions = by_ref[ref]
        kinds = {node.kind for _, node in versions}
        if len(kinds) > 1:
            report.append(f"{ref}: the documents disagree on its kind ({', '.join(sorted(kinds))})")
        if len(all_languages) > 1 and len(versions) < len(all_languages):
            have = versions[0][0]
            report.append(f"{ref}: only in the {have} document ({versions[0][1].where})")
        first = versions[0][1]
        entry: dict[str, Any] = {
            "ref": ref,
            "kind": first.kind,
            "number": {lang: _number_label(n) for lang, n in versions if _number_label(n)},
            "title": {lang: n.title for lang, n in versions if n.title},
            "text": {lang: n.text for lang, n in versions if n.text},
            "targets": _merge_targets([(lang, n.targets) for lang, n in versions]),
            "children": _merge([(lang, n.children) for lang, n in versions], report, start),
        }
        entry.update(_action_fields(versions, start))
        merged.append(entry)
    return merged


def _action_fields(versions: list[tuple[str, ParsedNode]], start: int | None) -> dict[str, Any]:
    """What an action table says of a task: deadline, responsible bodies, other columns."""
    fields: dict[str, Any] = {}
    deadline_texts = {lang: n.deadline_text for lang, n in versions if n.deadline_text}
    if deadline_texts:
        found = next(
            (d for d in (deadline_of(t, start) for t in deadline_texts.values()) if d), None
        )
        fields["deadline"] = {
            "year": found.year if found else None,
            "date": found.date if found else None,
            "text": deadline_texts,
        }
    responsible: list[dict[str, Any]] = []
    for lang, node in versions:
        for index, (name, role) in enumerate(node.responsible):
            if index < len(responsible):
                responsible[index]["name"].setdefault(lang, name)
            else:
                responsible.append({"name": {lang: name}, "role": role})
    if responsible:
        fields["responsible"] = responsible
    details: dict[str, dict[str, str]] = {}
    for lang, node in versions:
        for name, text in node.details.items():
            if text.strip():
                details.setdefault(name, {})[lang] = text.strip()
    if details:
        fields["details"] = details
    return fields
