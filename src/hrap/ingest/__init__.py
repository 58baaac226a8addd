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
from pathlib import Path
from typing import Any

from hrap.core.errors import IngestError
from hrap.ingest.readers import read
from hrap.ingest.structure import ParsedDocument, ParsedNode, parse
from hrap.ingest.targets import FoundTarget

__all__ = ["IngestError", "IngestResult", "ingest", "ingest_documents", "read_and_parse"]

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
        parsed, slug=slug, jurisdiction=jurisdiction, names=[p.name for p in paths]
    )
    result.document["plan"]["sources"] = sources
    return result


def ingest_documents(
    parsed: list[ParsedDocument],
    *,
    slug: str | None = None,
    jurisdiction: str | None = None,
    names: list[str] | None = None,
) -> IngestResult:
    report: list[str] = []
    for doc in parsed:
        report.extend(doc.notes)
    languages = [doc.language for doc in parsed]
    trees = [(doc.language, doc.nodes) for doc in parsed]
    nodes = _merge(trees, report)
    titles = {doc.language: _clean_title(doc.title) for doc in parsed if doc.title}
    period = _period(" ".join(titles.values()) + " " + " ".join(names or []))
    if period is None:
        report.append("the plan's period is not in its title: set it when reviewing the draft")
    if jurisdiction is None:
        report.append("the jurisdiction is not stated: CN assumed (use --jurisdiction)")
    document = {
        "format": FORMAT,
        "plan": {
            "slug": slug or _slug(titles, names),
            "title": titles or {languages[0]: (names or ["plan"])[0]},
            "jurisdiction": (jurisdiction or "CN").upper(),
            "period": {"start": period[0], "end": period[1]}
            if period
            else {"start": 2000, "end": 2000},
            "issued_by": [],
            "adopted": None,
            "languages": languages,
            "predecessor": None,
            "sources": [],
        },
        "nodes": nodes,
    }
    counts = _counts(nodes)
    report.insert(
        0,
        f"{counts['part']} parts, {counts['section']} sections, {counts['task']} tasks, "
        f"{counts['subtask']} sub-tasks, {counts['targets']} targets "
        f"({', '.join(languages)})",
    )
    return IngestResult(document=document, report=report, parsed=parsed)


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


def _period(text: str) -> tuple[int, int] | None:
    match = re.search(r"((?:19|20)\d\d)\s*[-–—~至到]+\s*((?:19|20)\d\d|\d\d)\b", text)
    if not match:
        return None
    start, end = int(match.group(1)), match.group(2)
    end_year = int(end) if len(end) == 4 else start // 100 * 100 + int(end)
    return (start, end_year) if end_year >= start else None


def _slug(titles: dict[str, str], names: list[str] | None) -> str:
    for text in [titles.get("en", ""), *(names or [])]:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
        if slug:
            return slug
    return "plan"


def _number_label(node: ParsedNode) -> str:
    if node.style in ("han-paren", "digit-paren", "letter-paren"):
        match = re.match(r"^[（(]\s*\S+?\s*[)）]", node.source)
        return match.group() if match else node.number
    return node.number


def _target_entry(target: FoundTarget, language: str) -> dict[str, Any]:
    value = target.value
    return {
        "indicator": {language: target.indicator},
        "value": int(value) if value == int(value) else float(value),
        "unit": target.unit,
        "direction": target.direction,
        "relative": target.relative,
        "year": target.year,
        "binding": None,
        "span": {language: target.span},
    }


def _merge_targets(
    per_language: list[tuple[str, list[FoundTarget]]],
) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for language, targets in per_language:
        pending = list(merged)
        for target in targets:
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


def _merge(trees: list[tuple[str, list[ParsedNode]]], report: list[str]) -> list[dict[str, Any]]:
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
        merged.append(
            {
                "ref": ref,
                "kind": first.kind,
                "number": {lang: _number_label(n) for lang, n in versions if _number_label(n)},
                "title": {lang: n.title for lang, n in versions if n.title},
                "text": {lang: n.text for lang, n in versions if n.text},
                "targets": _merge_targets([(lang, n.targets) for lang, n in versions]),
                "children": _merge([(lang, n.children) for lang, n in versions], report),
            }
        )
    return merged
