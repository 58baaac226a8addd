"""Forms of the review screen: they parse what a reviewer posts (ids, versions, years) so a bad
value is a 400 naming the field, never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from hrap.core.forms import LANGUAGE_LABELS, VersionField, add_localized_fields, localized_value
from hrap.core.localized import LocalizedText, content_languages
from hrap.directory.models import Agency
from hrap.plans.models import Assignment, Plan, PlanNode, ProposedAssignment

MAX_ID = 2**63 - 1
MAX_SELECTED = 10_000


class VersionForm(forms.Form):
    """The version of the draft the page showed: a correction based on an older one is refused."""

    version = VersionField()


class NodeIdsField(forms.Field):
    """Selected node ids: whole numbers, at most MAX_SELECTED of them."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        if len(values) > MAX_SELECTED:
            raise ValidationError(_("Too many nodes selected."))
        ids = []
        for raw in values:
            text = str(raw).strip()
            if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > MAX_ID:
                raise ValidationError(_("Not a node."))
            ids.append(int(text))
        return list(dict.fromkeys(ids))


class BulkForm(VersionForm):
    ACTIONS = [
        ("kind", _("Set kind")),
        ("indent", _("Indent")),
        ("outdent", _("Outdent")),
        ("up", _("Move up")),
        ("down", _("Move down")),
        ("merge", _("Merge into previous")),
        ("delete", _("Delete")),
        ("accept", _("Accept proposed assignments")),
    ]
    # Asked to confirm first: they remove nodes.
    CONFIRM = {"merge", "delete"}

    action = forms.ChoiceField(choices=ACTIONS)
    nodes = NodeIdsField(label=_("Selected nodes"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanNode.Kind.choices, required=False)
    confirm = forms.BooleanField(required=False)
    # Where the reviewer was: the part shown, and whether only flagged rows were.
    part = forms.CharField(required=False, max_length=64)
    flagged = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "kind" and not data.get("kind"):
            self.add_error("kind", _("Choose a kind."))
        # Accepting without a selection accepts every matched proposal of the draft.
        if data.get("action") not in (None, "accept") and not data.get("nodes"):
            self.add_error("nodes", _("Select at least one node."))
        return data


class SplitForm(VersionForm):
    paragraph = forms.IntegerField(label=_("Paragraph"), min_value=2, max_value=100_000)


class FactsForm(VersionForm):
    jurisdiction = forms.CharField(
        label=_("Jurisdiction"),
        max_length=10,
        required=False,
        validators=[
            RegexValidator(r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$", _("An ISO 3166 code, e.g. CN."))
        ],
        help_text=_("ISO 3166 code: CN, GB, ZA, CN-BJ"),
    )
    period_start = forms.IntegerField(
        label=_("First year"), min_value=1900, max_value=2200, required=False
    )
    period_end = forms.IntegerField(
        label=_("Last year"), min_value=1900, max_value=2200, required=False
    )
    adopted = forms.DateField(
        label=_("Adopted on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        kwargs["initial"] = {
            "version": plan.version,
            "jurisdiction": plan.jurisdiction.code if plan.jurisdiction else "",
            "period_start": plan.period_start,
            "period_end": plan.period_end,
            "adopted": plan.adopted,
        }
        super().__init__(*args, **kwargs)
        bodies = {
            tag: "\n".join(body.get(tag, "") for body in plan.issued_by)
            for tag in content_languages()
        }
        for tag in content_languages():
            self.fields[f"issued_by_{tag}"] = forms.CharField(
                label=f"{_('Issued by')} ({LANGUAGE_LABELS.get(tag, tag)})",
                required=False,
                max_length=2000,
                initial=bodies[tag].strip("\n"),
                help_text=_("One body a line"),
                widget=forms.Textarea(attrs={"rows": 2, "lang": tag}),
            )
        self.other_bodies = [
            {t: v for t, v in body.items() if t not in content_languages()}
            for body in plan.issued_by
        ]

    def issued_by(self) -> list[LocalizedText]:
        """Line n of every language is body n, with its texts in other languages kept."""
        lines = {
            tag: self.cleaned_data.get(f"issued_by_{tag}", "").splitlines()
            for tag in content_languages()
        }
        count = max([len(v) for v in lines.values()] + [len(self.other_bodies)])
        bodies = []
        for index in range(count):
            body = dict(self.other_bodies[index]) if index < len(self.other_bodies) else {}
            for tag, texts in lines.items():
                if index < len(texts) and texts[index].strip():
                    body[tag] = texts[index].strip()
            bodies.append(body)
        return bodies

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if (start is None) != (end is None) and "period_start" not in self.errors:
            self.add_error("period_end", _("Give the first and the last year."))
        elif start is not None and end is not None and start > end:
            self.add_error("period_end", _("The last year is before the first."))
        return data


class NameForm(VersionForm):
    """One decision for a name as printed: map it to an agency, create one, or drop it."""

    DECISIONS = [("map", _("Map")), ("create", _("Create agency")), ("drop", _("Drop"))]
    key = forms.CharField(max_length=300)
    decision = forms.ChoiceField(choices=DECISIONS)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.order_by("code"), required=False
    )
    code = forms.SlugField(label=_("Code of the new agency"), max_length=64, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "map" and not data.get("agency"):
            self.add_error("agency", _("Choose an agency."))
        if data.get("decision") == "create" and not data.get("code"):
            self.add_error("code", _("Give the new agency a code."))
        return data


class ProposalForm(VersionForm):
    proposal = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.order_by("code"), required=False
    )
    role = forms.ChoiceField(label=_("Role"), choices=Assignment.Role.choices)
    state = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ProposedAssignment.State.PROPOSED, _("propose")),
            (ProposedAssignment.State.DROPPED, _("drop")),
        ],
    )


class DeadlineForm(VersionForm):
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2200, required=False)
    day = forms.DateField(
        label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, node: PlanNode, version: int, **kwargs: Any) -> None:
        deadline = node.deadline or {}
        kwargs["initial"] = {"version": version, "year": deadline.get("year"),
                             "day": deadline.get("date")}  # fmt: skip
        super().__init__(*args, **kwargs)
        add_localized_fields(self, "text", _("As the document says"), deadline.get("text") or {})

    def localized(self, name: str) -> LocalizedText:
        return localized_value(self, name)
