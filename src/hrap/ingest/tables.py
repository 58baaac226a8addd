"""Action tables: a matrix of actions, responsible bodies, timelines and indicators into tasks.

A table is an action table when a header row names an action column (action, measure,
activity, 措施 …) and at least one other column this module knows (lead or responsible body,
partners, timeline, indicator, baseline, target, budget …). Rows above the header that label
the table ("Objective 1 | Capital punishment …") are kept as context of the actions below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hrap.ingest.markers import BULLET, classify

# Column headers in English, French and Chinese, by the field they fill.
_COLUMNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "means_of_verification",
        re.compile(
            r"means\s+of\s+verification|sources?\s+of\s+verification|验证|"
            r"sources?\s+de\s+v[ée]rification|moyens?\s+de\s+v[ée]rification",
            re.I,
        ),
    ),
    (
        "co",
        re.compile(r"partner|support|collaborat|co-?implement|配合|参与单位|协办|partenaire", re.I),
    ),
    (
        "lead",
        re.compile(r"\blead\b|牵头|主办|chef\s+de\s+file|principal\s+responsable", re.I),
    ),
    (
        "deadline",
        re.compile(
            r"time\s*line|time\s*frame|deadline|by\s+when|completion|schedule|\bperiod|\bdate|"
            r"calendar|échéance|echeance|calendrier|délai|delai|时限|时间|进度|期限|年度",
            re.I,
        ),
    ),
    (
        "responsible",
        re.compile(
            r"responsib|agents?\s+of\s+change|implement|agenc|institution|actor|acteur|"
            r"責任|责任|负责|单位|who\b|owner|department|ministr|responsable",
            re.I,
        ),
    ),
    (
        "baseline",
        re.compile(r"baseline|基线|基准|situation\s+de\s+r[ée]f[ée]rence|référence", re.I),
    ),
    ("indicator", re.compile(r"indicat|kpi|指标|measure\s+of\s+success", re.I)),
    ("target", re.compile(r"\btargets?\b|目标值|cibles?|valeur\s+cible|milestone|jalon", re.I)),
    ("budget", re.compile(r"budget|cost|fund|resourc|预算|经费|资金|coût|cout|financement", re.I)),
    # "Strategic Outcome" is an objective, not a strategy
    (
        "objective",
        re.compile(r"objecti|outcome|output|result|goal|résultat|目标|成果", re.I),
    ),
    (
        "action",
        re.compile(
            r"action|activit|measure|mesure|strateg|intervention|task|commitment|initiative|"
            r"措施|举措|任务|行动|工作内容",
            re.I,
        ),
    ),
]
_ROLE = {"lead": "lead", "co": "co", "responsible": None}


@dataclass
class TableAction:
    number: str
    value: int | None
    text: str
    responsible: list[tuple[str, str | None]] = field(default_factory=list)
    deadline: str = ""
    target: str = ""
    baseline: str = ""
    indicator: str = ""
    details: dict[str, str] = field(default_factory=dict)


def column_field(header: str) -> str | None:
    header = re.sub(r"\s+", " ", header).strip()
    if not header or len(header) > 60:
        return None
    for name, pattern in _COLUMNS:
        if pattern.search(header):
            return name
    return None


# In a results chain without an activities column (Outcome | Outputs | Responsible), the
# outputs are what is to be delivered: the actions.
_DELIVERABLES = re.compile(
    r"outputs?|deliverables?|produits?|r[ée]sultats?\s+attendus|expected\s+results?|产出", re.I
)


def column_fields(headers: list[str]) -> list[str | None]:
    """The field each header fills; where no column holds activities, the one column of
    outputs or expected results does."""
    fields = [column_field(cell) for cell in headers]
    if "action" not in fields:
        deliverables = [i for i, cell in enumerate(headers) if _DELIVERABLES.search(cell)]
        if len(deliverables) == 1:
            fields[deliverables[0]] = "action"
    return fields


def _header(row: tuple[str, ...]) -> list[str | None] | None:
    if any(re.search(r"\d", cell) or len(cell.split()) > 6 for cell in row):
        return None  # "Objective 1 | Adopt measures to …" labels a table, it does not head it
    fields = column_fields(list(row))
    known = [f for f in fields if f]
    if "action" in known and len(known) >= 2 and len(set(known)) == len(known):
        return fields
    return None


def _slug(header: str, index: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")[:40].strip("_")
    return slug if re.match(r"^[a-z][a-z0-9_]*$", slug) else f"column_{index + 1}"


def _names(cell: str) -> list[str]:
    """Bodies as printed: split at commas, semicolons, line breaks and Chinese enumeration."""
    parts = re.split(r"[,;，；、\n]|\s+/\s+", cell)
    names = []
    for part in parts:
        name = re.sub(r"^(?:and|et|与|和)\s+", "", part.strip(" .·•-–"), flags=re.I).strip()
        if name and len(name) <= 120 and name not in names:
            names.append(name)
    return names


def _items(cell: str) -> list[tuple[str, int | None, str]]:
    """The actions in one cell: numbered or bulleted paragraphs are one action each."""
    items: list[tuple[str, int | None, str]] = []
    for line in cell.split("\n"):
        line = line.strip()
        if not line:
            continue
        marker = classify(line)
        numbered = any(number for number, _, _ in items)
        if marker is not None and (
            (marker.style == "bullet" and not numbered)  # bullets under a number belong to it
            or (marker.style not in ("intro", "bullet") and marker.value is not None)
        ):
            items.append((marker.number, marker.value, marker.rest))
        elif items:
            number, value, text = items[-1]
            items[-1] = (number, value, f"{text} {line}")
        else:
            items.append(("", None, line))
    if len(items) > 1 and not items[0][0] and not BULLET.match(cell.split("\n")[0]):
        # an unnumbered lead-in line before numbered actions belongs to the first one
        lead = items.pop(0)[2]
        number, value, text = items[0]
        items[0] = (number, value, f"{lead} {text}")
    return items


def read_action_table(rows: tuple[tuple[str, ...], ...]) -> list[TableAction] | None:
    """The actions of an action table, or None when the table is not one."""
    columns: list[str | None] | None = None
    headers: tuple[str, ...] = ()
    context: dict[str, str] = {}
    actions: list[TableAction] = []
    for row in rows:
        fields = _header(row)
        if fields is not None:
            columns, headers = fields, row
            continue
        label = column_field(row[0]) if len(row) >= 2 else None
        filled = [c for c in row[1:] if c.strip()]
        if (
            label in ("objective", "action")
            and filled
            and len(row[0]) <= 40
            and (columns is None or len(filled) < len(row) - 1 or re.search(r"\d", row[0]))
        ):
            # "Objective 2 | Improve protection …": the context of the actions that follow
            context = {"objective": " ".join(c.replace("\n", " ") for c in filled).strip()}
            continue
        if columns is None:
            continue
        actions.extend(_row_actions(row, columns, headers, context))
    return actions if columns is not None and actions else None


def _row_actions(
    row: tuple[str, ...],
    columns: list[str | None],
    headers: tuple[str, ...],
    context: dict[str, str],
) -> list[TableAction]:
    cells: dict[str, str] = {}
    details = dict(context)
    responsible: list[tuple[str, str | None]] = []
    for index, cell in enumerate(row[: len(columns)]):
        name = columns[index]
        cell = cell.strip()
        if not cell:
            continue
        if name in _ROLE:
            responsible += [(n, _ROLE[name]) for n in _names(cell)]
        elif name in ("action", "deadline", "target", "baseline", "indicator"):
            cells[name] = f"{cells[name]}\n{cell}" if name in cells else cell
        else:
            key = name or _slug(headers[index] if index < len(headers) else "", index)
            details[key] = cell.replace("\n", " ")
    if "indicator" in cells:
        details["indicator"] = cells["indicator"].replace("\n", " ")
    if "deadline" in cells:
        details.setdefault("timeline", cells["deadline"].replace("\n", " "))
    out = []
    for number, value, text in _items(cells.get("action", "")):
        out.append(
            TableAction(
                number=number,
                value=value,
                text=text,
                responsible=list(responsible),
                deadline=cells.get("deadline", ""),
                target=cells.get("target", ""),
                baseline=cells.get("baseline", ""),
                indicator=cells.get("indicator", ""),
                details={k: v for k, v in details.items() if k != "timeline"},
            )
        )
    return out
