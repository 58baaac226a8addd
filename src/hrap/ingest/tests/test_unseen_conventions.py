"""Conventions of plans in general, added in the fourth round (decision 0035): French targets,
Chinese heading sentences, Chinese goals run together on one line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hrap.ingest.readers import Block
from hrap.ingest.structure import ParsedDocument, parse, split_run_on_items
from hrap.ingest.targets import extract


def _parse(*paragraphs: str) -> ParsedDocument:
    return parse([Block(p, f"line {i}") for i, p in enumerate(paragraphs)])


def _targets(text: str) -> list[tuple[Decimal, str, str]]:
    return [(t.value, t.unit, t.direction) for t in extract(text, "fr")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Objectif 1 : Contribuer à accroître de 20 % le taux de participation des femmes.",
            [(Decimal(20), "%", "increase")],
        ),
        (
            "Porter à 30 pour cent la part des femmes élues d'ici 2023.",
            [(Decimal(30), "%", "reach")],
        ),
        (
            "Réduire de 19,5 % le taux d'enrôlement des enfants.",
            [(Decimal("19.5"), "%", "decrease")],
        ),
        (
            "Former au moins 200 magistrats sur la résolution 1325.",
            [(200, "magistrats", "at_least")],
        ),
        # statistics, resolution numbers, years and money are not targets
        ("On ne compte à ce jour que 2,8 % de femmes dans l'armée.", []),
        ("La résolution 1325 a été adoptée en 2000.", []),
        ("Mettre en œuvre la résolution 1325 avant 2022.", []),
        ("Mobiliser 5 millions de dollars pour le PAN.", []),
        ("Renforcer les 26 provinces pendant 3 ans.", [(26, "provinces", "reach")]),
    ],
)
def test_french_targets_from_infinitives_and_the_decimal_comma(
    text: str, expected: list[tuple[Decimal, str, str]]
) -> None:
    assert _targets(text) == expected


def test_a_french_plan_is_read_with_french_targets() -> None:
    document = _parse(
        "CHAPITRE 1 : AXES PRIORITAIRES",
        "Objectif 1 : Contribuer à accroitre de 20 % le taux de participation des femmes.",
        "Objectif 2 : Réduire le taux d'enrôlement des enfants-soldats.",
        "Les femmes et les jeunes femmes représentent 52 % de la population.",
    )
    found = [(t.value, t.unit, t.direction) for n in document.walk() for t in n.targets]
    assert document.language == "fr"
    assert found == [(Decimal(20), "%", "increase")]


def test_a_chinese_bullet_whose_first_sentence_has_a_comma_has_no_heading_sentence() -> None:
    document = _parse(
        "六、实施和监督",
        "——国家人权行动计划联席会议机制开展阶段性调研。公布评估报告。",
        "——在实施《行动计划》过程中,尊重和发挥人民群众的主动性。创新社会管理机制。",
    )
    tasks = [n for n in document.walk() if n.kind == "task"]
    assert [t.title for t in tasks] == ["国家人权行动计划联席会议机制开展阶段性调研", ""]
    assert tasks[1].text.startswith("在实施《行动计划》过程中,尊重")


def test_chinese_goals_run_together_on_one_line_are_items_of_their_own() -> None:
    blocks = [
        Block(
            "9、全省儿童保健系统管理率到2010年要达到92%。10、全省农村住院分娩率要达到80%。", "l1"
        ),
        Block("1、到2010年比2000年下降2.5个百分点。2013年达到3、4个县。", "l2"),
    ]
    texts = [b.text for b in split_run_on_items(blocks)]
    assert texts == [
        "9、全省儿童保健系统管理率到2010年要达到92%。",
        "10、全省农村住院分娩率要达到80%。",
        "1、到2010年比2000年下降2.5个百分点。2013年达到3、4个县。",
    ]
    document = _parse(
        "一、儿童与健康",
        "1、全省孕产妇系统管理率到2010年要达到92%。",
        "2、全省儿童保健系统管理率到2010年要达到92%。3、全省农村住院分娩率要达到80%。",
    )
    goals = [n.title for n in document.nodes[0].children]
    assert len(goals) == 3 and goals[-1] == "全省农村住院分娩率要达到80%"
