"""Plan files for review tests: a systematically misread tree, and one with action-table fields."""

from __future__ import annotations

import json
from typing import Any

from hrap.accounts.system import system_actor
from hrap.plans import services
from hrap.plans.models import Plan

ROMAN = ["I", "II", "III", "IV", "V", "VI"]


def misread_tree(parts: int = 4, sections: int = 3, tasks: int = 4) -> dict[str, Any]:
    """Every section read as a task and every task as a sub-task: 64 nodes by default."""
    nodes = []
    for p in range(parts):
        part_ref = ROMAN[p]
        children = []
        for s in range(1, sections + 1):
            section_ref = f"{part_ref}.{s}"
            children.append(
                {
                    "ref": section_ref,
                    "kind": "task",
                    "number": {"en": str(s)},
                    "title": {"en": f"Section {section_ref}"},
                    "text": {"en": f"Introduction of section {section_ref}."},
                    "children": [
                        {
                            "ref": f"{section_ref}.{t}",
                            "kind": "subtask",
                            "title": {"en": f"Task {section_ref}.{t}"},
                            "text": {"en": f"Carry out action {section_ref}.{t} by 2024."},
                        }
                        for t in range(1, tasks + 1)
                    ],
                }
            )
        nodes.append(
            {
                "ref": part_ref,
                "kind": "part",
                "number": {"en": part_ref},
                "title": {"en": f"Part {part_ref}"},
                "children": children,
            }
        )
    return {
        "format": "hrap-plan/1",
        "plan": {
            "slug": "misread",
            "title": {"en": "A plan read wrongly"},
            "jurisdiction": None,
            "period": None,
            "languages": ["en"],
        },
        "nodes": nodes,
    }


def action_table() -> dict[str, Any]:
    """A plan whose actions came from a matrix: responsible bodies, deadlines, details, baselines."""
    return {
        "format": "hrap-plan/1",
        "plan": {
            "slug": "matrix",
            "title": {"en": "National Action Plan on Human Rights 2024-2027"},
            "jurisdiction": None,
            "period": {"start": 2024, "end": 2027},
            "languages": ["zh-Hans", "en"],
            "front_matter": [
                {"kind": "foreword", "title": {"en": "Foreword"}, "text": {"en": "We commit."}},
                {"kind": "acronyms", "text": {"en": "MOJ Ministry of Justice"}},
            ],
        },
        "nodes": [
            {
                "ref": "I",
                "kind": "part",
                "number": {"en": "I"},
                "title": {"en": "Civil and political rights"},
                "children": [
                    {
                        "ref": "I.1",
                        "kind": "task",
                        "number": {"en": "1"},
                        "title": {"en": "Train prison staff"},
                        "text": {"en": "Train all prison staff on the Mandela Rules."},
                        "targets": [
                            {
                                "indicator": {"en": "share of prison staff trained"},
                                "value": 100,
                                "unit": "%",
                                "direction": "reach",
                                "relative": False,
                                "year": 2026,
                                "binding": None,
                                "span": {"en": "all prison staff"},
                                "baseline": {"value": 35.5, "year": 2023},
                            }
                        ],
                        "deadline": {
                            "year": 2026,
                            "date": "2026-06-30",
                            "text": {"en": "by the second quarter of 2026"},
                        },
                        "responsible": [
                            {"name": {"en": "The Ministry of Justice"}, "role": "lead"},
                            {"name": {"zh-Hans": "公安部"}, "role": "co"},
                            {"name": {"en": "Bar Council"}, "role": None},
                        ],
                        "details": {"budget": {"en": "USD 2 million"}},
                    },
                    {
                        "ref": "I.2",
                        "kind": "task",
                        "number": {"en": "2"},
                        "title": {"en": "Legal aid"},
                        "text": {"en": "Extend legal aid to every county."},
                        "responsible": [
                            {"name": {"en": "MINISTRY OF JUSTICE (MOJ)"}, "role": None},
                            {"name": {"en": "Bar Council"}, "role": "co"},
                            {"name": {"zh-Hans": "国家发展改革委"}, "role": "lead"},
                        ],
                    },
                ],
            }
        ],
    }


def import_draft(document: dict[str, Any], **kwargs: Any) -> Plan:
    raw = json.dumps(document, ensure_ascii=False).encode()
    return services.plan_import(raw=raw, actor=system_actor(), draft=True, **kwargs)
