"""The values template: an XLSX sheet per cycle (and agency) listing every value to report.

One row per indicator × place of the person's value scope (`accounts.policy.value_scope`): the
places its scope starts at and every place below them, the plan's own jurisdiction for those
whose scope is everywhere. Headings and statuses are in the reader's language (an upload
accepts them in any interface language); the value, source and status already stored for the
cycle's period are filled in; every text cell goes through `core.exports.safe_cell`.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from hrap.accounts import policy
from hrap.core.exports import safe_row
from hrap.core.localized import choose
from hrap.directory.models import Agency, Jurisdiction
from hrap.monitoring.models import Observation, ReportingCycle
from hrap.monitoring.observations import COLUMNS, STATUS_WORDS, Actor, plan_indicators
from hrap.monitoring.upload import HEADINGS
from hrap.plans.models import Assignment, Indicator, Target


@dataclass(frozen=True)
class TemplateRow:
    indicator: Indicator
    place: Jurisdiction
    stored: Observation | None


def _subtrees(roots: set[int], places: dict[int, Jurisdiction]) -> list[Jurisdiction]:
    """The places of `roots` and every place below them, each parent before its children."""
    children: dict[int | None, list[Jurisdiction]] = defaultdict(list)
    for place in places.values():
        children[place.parent_id].append(place)
    found: list[Jurisdiction] = []
    frontier = sorted((places[r] for r in roots if r in places), key=lambda j: j.code)
    while frontier:
        place = frontier.pop(0)
        if place in found:
            continue
        found.append(place)
        frontier = sorted(children[place.pk], key=lambda j: j.code) + frontier
    return found


def _agency_roots(cycle: ReportingCycle, agency: Agency) -> dict[int, set[int]]:
    """Indicator → the places an agency's tasks in this plan cover (as the value scope reads
    a focal point's), so the secretariat can send each agency its own sheet."""
    national = cycle.plan.jurisdiction_id
    places: dict[int, set[int]] = defaultdict(set)
    for node_id, local in Assignment.objects.filter(
        node__plan=cycle.plan, agency=agency
    ).values_list("node_id", "jurisdiction_id"):
        place = local or national
        if place is not None:
            places[node_id].add(place)
    roots: dict[int, set[int]] = defaultdict(set)
    for node_id, indicator_id in Target.objects.filter(node_id__in=places).values_list(
        "node_id", "indicator_id"
    ):
        roots[indicator_id] |= places[node_id]
    return roots


def template_rows(
    *, cycle: ReportingCycle, actor: Actor, agency: Agency | None = None
) -> list[TemplateRow]:
    """The rows the person may fill in: indicator × place of their value scope (narrowed to
    one agency's tasks when `agency` is given), with the values already stored."""
    scope = policy.value_scope(actor)
    places = {j.pk: j for j in Jurisdiction.objects.all()}
    narrowed = _agency_roots(cycle, agency) if agency is not None else None
    national = {cycle.plan.jurisdiction_id} if cycle.plan.jurisdiction_id else set()
    wanted: list[tuple[Indicator, Jurisdiction]] = []
    for indicator in plan_indicators(plan=cycle.plan).values():
        roots = scope.roots(indicator)
        candidates = _subtrees(national if roots is None else roots, places)
        if narrowed is not None:
            # Both must reach the place: the person's scope and the agency's tasks.
            theirs = narrowed.get(indicator.pk, set())
            candidates = [p for p in candidates if {a.pk for a in _chain(p, places)} & theirs]
        wanted.extend((indicator, place) for place in candidates)
    stored = {
        (o.indicator_id, o.jurisdiction_id): o
        for o in Observation.objects.filter(
            indicator_id__in={i.pk for i, _ in wanted},
            period=cycle.period,
            disaggregation_key="",
        )
    }
    return [TemplateRow(i, p, stored.get((i.pk, p.pk))) for i, p in wanted]


def _chain(place: Jurisdiction, places: dict[int, Jurisdiction]) -> list[Jurisdiction]:
    chain = [place]
    while chain[-1].parent_id is not None and chain[-1].parent_id in places:
        chain.append(places[chain[-1].parent_id])
    return chain


def upload_template(*, cycle: ReportingCycle, actor: Actor, agency: Agency | None = None) -> bytes:
    """The XLSX sheet of `template_rows`, in the active interface language."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Values %(period)s") % {"period": cycle.period})
    sheet.append(
        safe_row(
            [
                *(str(COLUMNS[h]) for h in HEADINGS),
                _("indicator name (for reference)"),
                _("unit (for reference)"),
                _("place (for reference)"),
            ]
        )
    )
    for row in template_rows(cycle=cycle, actor=actor, agency=agency):
        stored = row.stored
        value: Decimal | None = None
        source, status = "", str(STATUS_WORDS["provisional"])
        if stored is not None:
            value = Decimal(f"{Decimal(stored.value).normalize():f}")
            source, status = stored.source, str(STATUS_WORDS.get(stored.status, stored.status))
        sheet.append(
            safe_row(
                [
                    row.indicator.pk,
                    row.place.code,
                    cycle.period,
                    "",
                    value,
                    source,
                    status,
                    choose(row.indicator.name).text,
                    row.indicator.unit,
                    choose(row.place.name).text,
                ]
            )
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
