"""Build the demo's sample plan file from the two compiled documents of the 2021-2025 plan.

A stop-gap until `hrap.ingest` reads plan documents (the ingestion issue): it knows only the
layout of these two compiled files. Run from the repository root:

    python scripts/build_sample_plan.py > src/hrap/plans/sample/cn-nhrap-2021-2025.json
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import zhconv

HERE = Path(__file__).resolve().parent.parent / "src/hrap/plans/sample"
DOCS = HERE / "cn-nhrap-2021-2025"
sys.path.insert(0, str(HERE.parent.parent.parent))
from hrap.plans import planfile  # noqa: E402

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8}
HAN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
ROMAN_OF = {v: k for k, v in ROMAN.items()}

# Targets read by hand from the English text; the span is the exact text each was read from.
TARGETS: dict[tuple[str, int, int], list[dict[str, Any]]] = {
    ("I", 5, 1): [
        {
            "indicator": {
                "en": "national bases for the prevention, control and treatment of major "
                "infectious diseases renovated and upgraded"
            },
            "value": 20,
            "unit": "",
            "direction": "reach",
            "relative": False,
            "span": {
                "en": "Twenty national bases for the prevention, control and treatment of "
                "major infectious diseases"
            },
        },
        {
            "indicator": {"en": "national bases for emergency rescue renovated and upgraded"},
            "value": 20,
            "unit": "",
            "direction": "reach",
            "relative": False,
            "span": {"en": "20 national bases for emergency rescue will be renovated and upgraded"},
        },
        {
            "indicator": {"en": "regional healthcare centers built"},
            "value": 15,
            "unit": "",
            "direction": "reach",
            "relative": False,
            "span": {"en": "About 15 regional healthcare centers will be built"},
        },
    ],
    ("III", 1, 1): [
        {
            "indicator": {
                "en": "average PM2.5 intensity in cities at or above the prefectural level"
            },
            "value": 10,
            "unit": "%",
            "direction": "decrease",
            "relative": True,
            "span": {
                "en": "the average PM2.5 intensity in cities at or above the prefectural level "
                "to fall by 10 percent"
            },
        },
        *[
            {
                "indicator": {"en": f"total emissions of {what}"},
                "value": 10,
                "unit": "%",
                "direction": "decrease",
                "relative": True,
                "span": {
                    "en": "the total emissions of nitrogen oxides and volatile organic "
                    "compounds both to drop by more than 10 percent"
                },
            }
            for what in ("nitrogen oxides", "volatile organic compounds")
        ],
    ],
    ("V", 1, 3): [
        {
            "indicator": {"en": "national human rights education and training bases"},
            "value": 3,
            "unit": "",
            "direction": "increase",
            "relative": True,
            "span": {"en": "Three more bases will be added to the list"},
        }
    ],
}


def _new(kind: str, number: str, title: str, key: int) -> dict[str, Any]:
    return {"kind": kind, "number": number, "title": title, "text": [], "key": key, "children": []}


def _split_heading(body: str, stop: str) -> tuple[str, str]:
    """ "Heading. Body" → (heading, body); a lone sentence has no heading."""
    head, sep, rest = body.partition(stop)
    if sep and rest.strip() and len(head) <= 120:
        return head.strip(), rest.strip()
    return "", body.strip()


def parse(path: Path, lang: str) -> list[dict[str, Any]]:
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    roots: list[dict[str, Any]] = []
    part = section = current = None
    for line in lines[1:]:
        if not line or line.startswith("[Compilation"):
            continue
        if lang == "en":
            m_part = re.match(r"^([IVX]+)\.\s+(.+)$", line)
            m_section = re.match(r"^(\d+)\.\s+(.+)$", line)
            m_task = re.match(r"^-\s*(.+)$", line)
            m_intro = None
        else:
            line = zhconv.convert(line, "zh-hans")
            m_intro = re.match(r"^导言$", line)
            m_part = re.match(r"^([一二三四五六七八九十]+)、(.+)$", line)
            m_section = re.match(r"^([(（][一二三四五六七八九十]+[)）])(.+)$", line)
            m_task = re.match(r"^——(.+)$", line)
        if m_intro:
            part = current = _new("introduction", "", line, 0)
            section = None
            roots.append(part)
        elif m_part:
            number = m_part.group(1)
            key = ROMAN[number] if lang == "en" else HAN[number]
            part = current = _new("part", number, m_part.group(2), key)
            section = None
            roots.append(part)
        elif m_section and part is not None:
            number = m_section.group(1)
            key = int(number) if lang == "en" else HAN[number.strip("()（）")]
            section = current = _new("section", number, m_section.group(2), key)
            part["children"].append(section)
        elif m_task and part is not None:
            title, text = _split_heading(m_task.group(1), ". " if lang == "en" else "。")
            if lang != "en" and title:
                title = title.rstrip("。")
            holder = section or part
            current = _new("task", "", title, len(holder["children"]) + 1)
            current["text"].append(text)
            holder["children"].append(current)
        elif current is not None:
            current["text"].append(line)
    return roots


def merge(zh: list[dict[str, Any]], en: list[dict[str, Any]], prefix: str = "") -> list[Any]:
    """One bilingual tree: nodes matched by kind and number (tasks by position)."""
    zh_by_key = {(n["kind"], n["key"]): n for n in zh}
    en_by_key = {(n["kind"], n["key"]): n for n in en}
    keys = list(zh_by_key) + [k for k in en_by_key if k not in zh_by_key]
    return [_bilingual(zh_by_key.get(k), en_by_key.get(k), prefix) for k in keys]


def _bilingual(zh: dict[str, Any] | None, en: dict[str, Any] | None, prefix: str) -> dict[str, Any]:
    some = zh or en
    assert some is not None
    if some["kind"] == "introduction":
        ref = "intro"
    elif some["kind"] == "part":
        ref = ROMAN_OF[some["key"]]
    else:
        ref = f"{prefix}.{some['key']}"

    def texts(field: str) -> dict[str, str]:
        out = {}
        for tag, node in (("zh-Hans", zh), ("en", en)):
            value = node[field] if node else ""
            value = "\n\n".join(value) if isinstance(value, list) else value
            if value:
                out[tag] = value
        return out

    node = {
        "ref": ref,
        "kind": some["kind"],
        "number": texts("number"),
        "title": texts("title"),
        "text": texts("text"),
        "targets": [],
        "children": merge(zh["children"] if zh else [], en["children"] if en else [], ref),
    }
    parts = ref.split(".")
    if len(parts) == 3:
        node["targets"] = TARGETS.get((parts[0], int(parts[1]), int(parts[2])), [])
    return node


def main() -> None:
    zh_doc, en_doc = DOCS / "compiled_zh.txt", DOCS / "compiled_en.txt"
    document = {
        "format": planfile.FORMAT,
        "plan": {
            "slug": "cn-nhrap-2021-2025",
            "title": {
                "zh-Hans": "国家人权行动计划（2021—2025年）",
                "en": "Human Rights Action Plan of China (2021-2025)",
            },
            "jurisdiction": "CN",
            "period": {"start": 2021, "end": 2025},
            "issued_by": [
                {
                    "zh-Hans": "中华人民共和国国务院新闻办公室",
                    "en": "State Council Information Office",
                }
            ],
            "adopted": "2021-09-09",
            "languages": ["zh-Hans", "en"],
            "predecessor": "cn-nhrap-2016-2020",
            "sources": [
                {
                    "file": f"cn-nhrap-2021-2025/{doc.name}",
                    "sha256": hashlib.sha256(doc.read_bytes()).hexdigest(),
                    "language": lang,
                }
                for doc, lang in ((zh_doc, "zh-Hans"), (en_doc, "en"))
            ],
        },
        "nodes": merge(parse(zh_doc, "zh"), parse(en_doc, "en")),
    }
    problems = planfile.validate(json.loads(json.dumps(document)))
    if problems:
        raise SystemExit("\n".join(map(str, problems)))
    sys.stdout.write(planfile.dumps(document))


if __name__ == "__main__":
    main()
