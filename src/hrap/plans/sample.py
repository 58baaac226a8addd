"""The demo's sample plan: the 2021-2025 plan, ingested from the corpus documents in the repo."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from hrap.ingest import ingest

SLUG = "cn-nhrap-2021-2025"
SAMPLE_DIR = Path(str(resources.files("hrap.plans") / "sample"))
DOCUMENTS = [SAMPLE_DIR / SLUG / "compiled_zh.txt", SAMPLE_DIR / SLUG / "compiled_en.txt"]
PLAN_FILE = SAMPLE_DIR / f"{SLUG}.json"


def sample_plan_document() -> tuple[dict[str, Any], list[str]]:
    """What the ingester reads from the two compiled documents, with the facts of publication
    that the documents do not state in a parseable form (corpus README: issued 2021-09-09 by
    the State Council Information Office; it follows the 2016-2020 plan)."""
    result = ingest(DOCUMENTS, slug=SLUG, jurisdiction="CN")
    plan = result.document["plan"]
    plan["issued_by"] = [
        {"zh-Hans": "中华人民共和国国务院新闻办公室", "en": "State Council Information Office"}
    ]
    plan["adopted"] = "2021-09-09"
    plan["predecessor"] = "cn-nhrap-2016-2020"
    for source in plan["sources"]:
        source["file"] = f"{SLUG}/{source['file']}"
    return result.document, [line for line in result.report if "jurisdiction" not in line]
