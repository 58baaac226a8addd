"""Monitoring: observations of indicators, reporting cycles and the progress reports in them."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hrap.core.models import Versioned
from hrap.directory.models import Agency, Jurisdiction
from hrap.plans.models import Indicator, Plan, PlanNode


class Observation(Versioned):
    """One value of an indicator for a jurisdiction, a period and a disaggregation."""

    class Status(models.TextChoices):
        PROVISIONAL = "provisional", _("provisional")
        FINAL = "final", _("final")

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="observations",
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT
    )
    period = models.CharField(_("period"), max_length=16, help_text=_("2023, or 2023-Q1"))
    year = models.PositiveSmallIntegerField(_("year"))
    # {"sex": "female"}; the key is its canonical text ("sex=female"), empty for the total.
    disaggregation = models.JSONField(_("disaggregation"), default=dict, blank=True)
    disaggregation_key = models.CharField(max_length=200, blank=True)
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=6)
    source = models.CharField(_("source"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROVISIONAL
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "jurisdiction", "period", "disaggregation_key"],
                name="observation_unique",
            )
        ]
        indexes = [models.Index(fields=["indicator", "jurisdiction", "year"])]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")

    def __str__(self) -> str:
        value = f"{self.value.normalize():f}"
        return f"{self.indicator} · {self.jurisdiction.code} · {self.period}: {value}"


class ReportingCycle(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    # The current revision of the plan; cycles move to each new revision (monitoring.revisions),
    # and a revision that holds cycles is never deleted.
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="cycles"
    )
    period = models.CharField(_("period"), max_length=16, help_text=_("e.g. 2023"))
    opens = models.DateField(_("opens"))
    due = models.DateField(_("due"))
    closes = models.DateField(_("closes"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PLANNED
    )

    class Meta:
        ordering = ["-opens"]
        constraints = [models.UniqueConstraint(fields=["plan", "period"], name="cycle_unique")]
        verbose_name = _("reporting cycle")
        verbose_name_plural = _("reporting cycles")

    def __str__(self) -> str:
        return f"{self.plan.slug} · {self.period}"


class ProgressReport(Versioned):
    """What an agency did on a task in a cycle, and how far along the task is."""

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        ON_TRACK = "on_track", _("on track")
        AT_RISK = "at_risk", _("at risk")
        DELAYED = "delayed", _("delayed")
        COMPLETED = "completed", _("completed")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        CONSOLIDATED = "consolidated", _("consolidated by the lead agency")
        APPROVED = "approved", _("approved")
        PUBLISHED = "published", _("published")

    cycle = models.ForeignKey(
        ReportingCycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="reports"
    )
    node = models.ForeignKey(
        PlanNode, verbose_name=_("task"), on_delete=models.PROTECT, related_name="reports"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="reports"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    lead = models.BooleanField(_("lead agency"), default=False)
    progress = models.CharField(
        _("status"), max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    narrative = models.TextField(_("narrative"), blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    return_reason = models.TextField(_("reason for return"), blank=True)
    consolidated_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="contributions"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    TEXT_FIELDS = ("progress", "narrative", "measures", "difficulties", "next_steps")

    class Meta:
        ordering = ["cycle", "node__depth", "node__position", "-lead", "agency__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "node", "agency", "jurisdiction"], name="report_unique"
            )
        ]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.cycle.period} · {self.node.ref} · {self.agency.code}"

    @property
    def is_overdue(self) -> bool:
        """Past the cycle's due date and not handed in (`overdue_q` below, for lists)."""
        return is_overdue(self)


# Overdue: the cycle's due date has passed and the report's writer has not handed it in (a draft
# never submitted, or a returned report not yet resubmitted). What waits for a reviewer after the
# due date is the reviewer's backlog, not the writer's lateness (decision 0030). The one statement
# of the rule, as a filter (`overdue_q`) and for one report (`ProgressReport.is_overdue`).
OVERDUE_STATES = (ProgressReport.State.DRAFT, ProgressReport.State.RETURNED)


def overdue_q(today: date | None = None, prefix: str = "") -> Q:
    """Overdue reports as a filter on `ProgressReport` (or, with `prefix` such as "reports__",
    on a model that reaches reports through it)."""
    today = today or timezone.localdate()
    return Q(
        **{f"{prefix}cycle__due__lt": today, f"{prefix}state__in": [str(s) for s in OVERDUE_STATES]}
    )


def is_overdue(report: ProgressReport, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return report.state in OVERDUE_STATES and report.cycle.due < today


class Evidence(models.Model):
    """A file supporting a report: stored outside the database, served only through HRAP."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name
