"""Matching names of responsible bodies as printed to the agency directory (pure functions)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hrap.plans.agency_names import Directory, forms, key

DIRECTORY = Directory.of(
    [
        (1, ["Ministry of Justice", "司法部", "moj"]),
        (2, ["National Development and Reform Commission", "国家发展和改革委员会", "ndrc"]),
        (3, ["国家卫生健康委员会", "National Health Commission", "NHC"]),
        (4, ["中华全国妇女联合会", "全国妇联", "All-China Women's Federation"]),
        (5, ["Department of Justice and Constitutional Development", "DOJ&CD"]),
    ]
)


def test_spellings_of_one_body_find_it() -> None:
    for printed, agency in [
        ("The Ministry of Justice", 1),
        ("MINISTRY  OF JUSTICE.", 1),
        ("Ministry of Justice (MOJ)", 1),
        ("司法部", 1),
        ("國家發展和改革委員會", 2),  # traditional script
        ("国家发展改革委", 2),  # the usual short form
        ("发展改革委", 2),
        ("国家卫生健康委", 3),
        ("卫生健康委", 3),
        ("全国妇联", 4),
        ("All China Women’s Federation", 4),
        ("Department of Justice & Constitutional Development", 5),
        ("ＮＨＣ", 3),  # full-width letters
    ]:
        assert DIRECTORY.candidates([printed]) == {agency}, printed


def test_other_bodies_find_nothing_and_ambiguous_names_find_several() -> None:
    assert DIRECTORY.candidates(["Bar Council"]) == set()
    assert DIRECTORY.candidates(["Ministry"]) == set()
    assert DIRECTORY.candidates(["Ministry of Justice", "国家卫生健康委员会"]) == {1, 3}


@given(st.text(max_size=400))
def test_any_text_folds_without_error_and_folding_is_stable(text: str) -> None:
    folded = key(text)
    assert key(folded) == folded
    assert all(len(form) <= 400 for form in forms(text))
    DIRECTORY.candidates([text])
