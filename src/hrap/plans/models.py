"""Plans, their node trees, targets, indicators and assignments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hrap.core.localized import choose
from hrap.core.models import Versioned
from hrap.directory.models import Agency, Jurisdiction


class Plan(Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")
        SUPERSEDED = "superseded", _("superseded")

    # A plan is one slug with numbered revisions: a draft from the ingester becomes the current
    # revision when published, and the revision it replaces is kept, superseded.
    CURRENT = (Status.ACTIVE, Status.CLOSED)

    slug = models.SlugField(_("slug"), max_length=100)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    title = models.JSONField(_("title"), default=dict)
    # Unknown (null) only in a draft whose document did not say: the review screen asks for
    # them, and publishing refuses until they are set.
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    period_start = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    issued_by = models.JSONField(_("issued by"), default=list, blank=True)
    adopted = models.DateField(_("adopted"), null=True, blank=True)
    languages = models.JSONField(_("languages"), default=list)
    predecessor_slug = models.SlugField(_("predecessor"), max_length=100, blank=True)
    sources = models.JSONField(_("source documents"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    ingest_report = models.JSONField(_("ingest report"), default=list, blank=True)
    # Contents, foreword, acronyms, annexes: kept as the document gave them, outside the tree
    # ([{"kind", "title", "text"}], see the plan file).
    front_matter = models.JSONField(_("front matter"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "slug", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "revision"], name="plan_slug_revision_unique"),
        ]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return choose(self.title).text or self.slug

    @property
    def is_current(self) -> bool:
        return self.status in self.CURRENT


class PlanNode(Versioned):
    class Kind(models.TextChoices):
        INTRODUCTION = "introduction", _("introduction")
        PART = "part", _("part")
        SECTION = "section", _("section")
        TASK = "task", _("task")
        SUBTASK = "subtask", _("sub-task")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="nodes"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    ref = models.CharField(_("reference"), max_length=64)
    number = models.JSONField(_("number"), default=dict, blank=True)
    title = models.JSONField(_("title"), default=dict, blank=True)
    text = models.JSONField(_("text"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("position"))
    depth = models.PositiveSmallIntegerField(_("depth"))
    # What the ingester read this node from, per language, for review: {"en": "1. Right to …"}.
    source = models.JSONField(_("source text"), default=dict, blank=True)
    source_where = models.JSONField(_("source location"), default=dict, blank=True)
    # What an action table said, as the plan file carries it: {"year", "date", "text"};
    # [{"name": {lang: …}, "role": "lead" | "co" | None}] as printed; {field: {lang: text}}.
    deadline = models.JSONField(_("deadline"), default=dict, blank=True)
    responsible = models.JSONField(_("responsible bodies"), default=list, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # Every language's number, title and text, in simplified script and case-folded: what
    # search matches against (see plans.search).
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["plan", "depth", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "ref"], name="plan_node_ref_unique"),
        ]
        indexes = [models.Index(fields=["plan", "parent", "position"])]
        verbose_name = _("plan node")
        verbose_name_plural = _("plan nodes")

    def __str__(self) -> str:
        title = choose(self.title).text or choose(self.text).text[:60]
        return f"{self.ref} {title}".strip()


class Indicator(Versioned):
    """A reusable measure (OHCHR indicator types); observations of it live in monitoring.

    Its identity is what its observations hang on: editing a target never swaps it (changing
    what a target measures is its own step, `target_set_indicator`), and a new revision's
    targets keep the indicators of the targets they follow.
    """

    class Type(models.TextChoices):
        STRUCTURAL = "structural", _("structural")
        PROCESS = "process", _("process")
        OUTCOME = "outcome", _("outcome")

    DISAGGREGATIONS = ["sex", "age_group", "ethnicity", "disability", "urban_rural"]
    # The categories of each dimension that the entry grid offers (ethnicity is entered by upload).
    CATEGORIES = {
        "sex": ["female", "male"],
        "age_group": ["0-14", "15-24", "25-64", "65+"],
        "disability": ["with_disability", "without_disability"],
        "urban_rural": ["urban", "rural"],
    }

    name = models.JSONField(_("name"), default=dict)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    definition = models.JSONField(_("definition"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    type = models.CharField(_("type"), max_length=12, choices=Type.choices, blank=True)
    disaggregations = models.JSONField(_("disaggregations"), default=list, blank=True)
    sdg_code = models.CharField(_("SDG indicator"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return choose(self.name).text


class Target(Versioned):
    class Direction(models.TextChoices):
        INCREASE = "increase", _("increase")
        DECREASE = "decrease", _("decrease")
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")
        REACH = "reach", _("reach")
        MAINTAIN = "maintain", _("maintain")

    node = models.ForeignKey(
        PlanNode, verbose_name=_("task"), on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=6)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    relative = models.BooleanField(
        _("relative change"), default=False, help_text=_("A change, not a level")
    )
    year = models.PositiveSmallIntegerField(_("deadline year"), null=True, blank=True)
    # Stated by a person (or the plan file): the deadline lies after the plan's period, as a
    # 2035 goal in a 2021-2025 plan. Without it, years outside the period are refused.
    beyond_period = models.BooleanField(_("runs beyond the plan's period"), default=False)
    binding = models.BooleanField(_("binding"), null=True, blank=True)
    span = models.JSONField(_("source text"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    # The target as the plan document stated it when imported ({"indicator", "value", "unit",
    # "direction", "relative", "year"}); empty for a target staff added. A new revision matches
    # its targets to the current ones by this statement, so staff edits and baselines carry over
    # while the document says the same (plans.carry).
    imported = models.JSONField(_("as the document stated it"), default=dict, blank=True)

    class Meta:
        ordering = ["node", "position", "id"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.indicator}: {self.get_direction_display()} {self.value_text}{self.unit}"

    @property
    def value_text(self) -> str:
        """The value without trailing zeros or exponent: 10, 12.5, 0.001."""
        return f"{self.value.normalize():f}"


class Assignment(Versioned):
    class Role(models.TextChoices):
        LEAD = "lead", _("lead agency")
        CO = "co", _("co-implementer")

    node = models.ForeignKey(
        PlanNode, verbose_name=_("task"), on_delete=models.CASCADE, related_name="assignments"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    # Set when a task is carried out locally: the agency reports for this jurisdiction.
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )

    class Meta:
        ordering = ["node", "role", "agency__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["node", "agency", "jurisdiction"],
                name="assignment_unique",
                nulls_distinct=False,
            ),
        ]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.node.ref} · {self.agency} ({self.get_role_display()})"


class ProposedAssignment(models.Model):
    """A responsible body as the document named it, matched to an agency for review.

    Accepting it makes an `Assignment`; the name as printed stays beside the match.
    """

    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        DROPPED = "dropped", _("dropped")

    node = models.ForeignKey(
        PlanNode, verbose_name=_("task"), on_delete=models.CASCADE, related_name="proposals"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.JSONField(_("name as printed"), default=dict)
    # The printed name folded (case, spaces, punctuation, "the"): one decision per name.
    key = models.CharField(_("name key"), max_length=300, db_index=True)
    role = models.CharField(_("role"), max_length=8, choices=Assignment.Role.choices)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    matched_by = models.CharField(_("matched by"), max_length=16, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PROPOSED
    )

    class Meta:
        ordering = ["node", "position", "id"]
        verbose_name = _("proposed assignment")
        verbose_name_plural = _("proposed assignments")

    def __str__(self) -> str:
        return f"{self.node.ref} · {choose(self.name).text}"


class ReviewCheckpoint(models.Model):
    """The state of a draft before its last correction, so that correction can be undone."""

    plan = models.OneToOneField(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="checkpoint"
    )
    action = models.CharField(_("action"), max_length=32)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    snapshot = models.JSONField(_("state before"), default=dict)
    # The digest of the state the correction left: undo only while nothing else changed it.
    digest = models.CharField(_("digest after"), max_length=64)
    plan_version = models.PositiveIntegerField(_("plan version after"))
    at = models.DateTimeField(_("time"), auto_now=True)

    class Meta:
        verbose_name = _("review checkpoint")
        verbose_name_plural = _("review checkpoints")

    def __str__(self) -> str:
        return f"{self.plan.slug} r{self.plan.revision}: {self.action}"
