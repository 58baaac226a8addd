"""Synthetic plans for scale tests, benchmarks and demos; every text says it is synthetic."""

from __future__ import annotations

import random
from typing import Any

from hrap.plans.planfile import FORMAT

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
HAN = "一二三四五六七八九十"


def synthetic_plan(
    *,
    slug: str = "synthetic-plan",
    parts: int = 7,
    sections: int = 5,
    tasks: int = 200,
    seed: int = 0,
) -> dict[str, Any]:
    """A plan file with `tasks` tasks spread over parts and sections, each text labelled."""
    rng = random.Random(seed)
    per_section = [tasks // (parts * sections)] * (parts * sections)
    for i in range(tasks - sum(per_section)):
        per_section[i] += 1
    nodes = []
    for p in range(parts):
        part_ref = ROMAN[p]
        section_nodes = []
        for s in range(sections):
            section_ref = f"{part_ref}.{s + 1}"
            task_nodes = []
            for t in range(per_section[p * sections + s]):
                ref = f"{section_ref}.{t + 1}"
                targets = []
                if rng.random() < 0.3:
                    value = rng.choice([5, 10, 15, 20, 90, 95])
                    targets.append(
                        {
                            "indicator": {
                                "en": f"Synthetic indicator {ref}",
                                "zh-Hans": f"合成指标 {ref}",
                            },
                            "value": value,
                            "unit": "%",
                            "direction": rng.choice(["increase", "decrease", "at_least", "reach"]),
                            "relative": rng.random() < 0.5,
                            "year": 2025,
                            "binding": None,
                            "span": {"en": f"to reach {value} percent by 2025"},
                        }
                    )
                task_nodes.append(
                    {
                        "ref": ref,
                        "kind": "task",
                        "title": {"en": f"Synthetic task {ref}", "zh-Hans": f"合成任务 {ref}"},
                        "text": {
                            "en": f"Synthetic text of task {ref}, generated for scale tests. " * 4,
                            "zh-Hans": f"任务 {ref} 的合成文本，仅用于规模测试。" * 4,
                        },
                        "targets": targets,
                        "children": [],
                    }
                )
            section_nodes.append(
                {
                    "ref": section_ref,
                    "kind": "section",
                    "number": {"en": str(s + 1), "zh-Hans": f"（{HAN[s % 10]}）"},
                    "title": {
                        "en": f"Synthetic section {section_ref}",
                        "zh-Hans": f"合成节 {section_ref}",
                    },
                    "children": task_nodes,
                }
            )
        nodes.append(
            {
                "ref": part_ref,
                "kind": "part",
                "number": {"en": part_ref, "zh-Hans": HAN[p % 10]},
                "title": {"en": f"Synthetic part {part_ref}", "zh-Hans": f"合成部分 {part_ref}"},
                "children": section_nodes,
            }
        )
    return {
        "format": FORMAT,
        "plan": {
            "slug": slug,
            "title": {
                "en": f"Synthetic plan ({tasks} tasks)",
                "zh-Hans": f"合成计划（{tasks}项任务）",
            },
            "jurisdiction": "CN",
            "period": {"start": 2021, "end": 2025},
            "languages": ["zh-Hans", "en"],
        },
        "nodes": nodes,
    }
