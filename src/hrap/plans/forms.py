"""Forms for editing a node, its targets and its assignments, with a field per content language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hrap.core.forms import (
    LARGEST,
    ValueField,
    VersionField,
    add_localized_fields,
    localized_value,
)
from hrap.core.localized import LocalizedText, choose, content_languages, sort_key
from hrap.directory.models import Agency, Jurisdiction
from hrap.plans.models import Assignment, Indicator, PlanNode, Target


class NodeForm(forms.Form):
    version = VersionField()

    def __init__(self, *args: Any, node: PlanNode, **kwargs: Any) -> None:
        kwargs["initial"] = {"version": node.version}
        super().__init__(*args, **kwargs)
        add_localized_fields(self, "number", _("Number"), node.number)
        add_localized_fields(self, "title", _("Title"), node.title)
        add_localized_fields(self, "text", _("Text"), node.text, textarea=True)
        # Texts in languages the interface does not offer are kept as they are.
        self.other_languages = {
            field: {t: v for t, v in getattr(node, field).items() if t not in content_languages()}
            for field in ("number", "title", "text")
        }

    def localized(self, name: str) -> LocalizedText:
        return {**self.other_languages[name], **localized_value(self, name)}


class VersionForm(forms.Form):
    """A POST that acts on one version of an object (removing a target)."""

    version = VersionField()


class TargetForm(forms.Form):
    version = VersionField(required=False)
    value = ValueField(label=_("Value"))
    unit = forms.CharField(
        label=_("Unit"),
        required=False,
        max_length=32,
        help_text=_("The percent sign for percentages; empty for counts"),
    )
    direction = forms.ChoiceField(label=_("Direction"), choices=Target.Direction.choices)
    relative = forms.BooleanField(
        label=_("Relative change"),
        required=False,
        help_text=_("Ticked for a change (fall by 10 percent), not for a level (below 5 percent)"),
    )
    year = forms.IntegerField(
        label=_("Deadline year"), required=False, min_value=1900, max_value=2200
    )
    beyond_period = forms.BooleanField(
        label=_("The target runs beyond the plan's period"),
        required=False,
        help_text=_(
            "Tick only when the plan sets a deadline after its last year (a 2035 goal in a "
            "2021-2025 plan); otherwise the deadline and baseline years must lie in the period."
        ),
    )
    binding = forms.NullBooleanField(label=_("Binding"), required=False)
    baseline_value = ValueField(
        label=_("Baseline"),
        required=False,
        help_text=_("Where the measure stood before the plan; progress is judged against it"),
    )
    baseline_year = forms.IntegerField(
        label=_("Baseline year"), required=False, min_value=1900, max_value=2200
    )

    def __init__(
        self,
        *args: Any,
        target: Target | None = None,
        period: tuple[int | None, int | None] = (None, None),
        **kwargs: Any,
    ) -> None:
        initial: dict[str, Any] = {}
        if target is not None:
            initial = {
                "version": target.version,
                "value": target.value_text,
                "unit": target.unit,
                "direction": target.direction,
                "relative": target.relative,
                "year": target.year,
                "beyond_period": target.beyond_period,
                "binding": target.binding,
                "baseline_value": f"{target.baseline_value.normalize():f}"
                if target.baseline_value is not None
                else None,
                "baseline_year": target.baseline_year,
            }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        if target is None:
            # What an existing target measures is changed on its own (TargetIndicatorForm), so
            # that editing a target never detaches it from its indicator's values.
            add_localized_fields(self, "indicator", _("What is measured"), {})
        add_localized_fields(self, "span", _("Source text"), target.span if target else {})
        start, end = period
        if start is not None and end is not None:
            # The period beside the years it bounds, so nobody has to look it up.
            self.fields["year"].help_text = _("The plan runs from %(start)s to %(end)s.") % {
                "start": start,
                "end": end,
            }
        tags = content_languages()
        self.order_fields(
            [f"indicator_{t}" for t in tags]
            + ["value", "unit", "direction", "relative", "year", "beyond_period", "binding"]
            + ["baseline_value", "baseline_year"]
            + [f"span_{t}" for t in tags]
        )

    def localized(self, name: str) -> LocalizedText:
        return localized_value(self, name)


class TargetIndicatorForm(forms.Form):
    """Change what a target measures: another indicator, or a new one named here."""

    version = VersionField()
    indicator = forms.ModelChoiceField(
        label=_("Another indicator"),
        queryset=Indicator.objects.order_by("pk"),
        required=False,
    )
    unit = forms.CharField(label=_("Unit of a new indicator"), max_length=32, required=False)
    confirm = forms.BooleanField(required=True)

    def __init__(self, *args: Any, target: Target, values: int, **kwargs: Any) -> None:
        kwargs["initial"] = {"version": target.version}
        super().__init__(*args, **kwargs)
        choices = self.fields["indicator"]
        assert isinstance(choices, forms.ModelChoiceField)
        choices.queryset = Indicator.objects.exclude(pk=target.indicator_id)
        add_localized_fields(self, "name", _("Or a new indicator"), {})
        self.fields["confirm"].label = ngettext(
            "I understand: the %(count)d value of the indicator it measures now stays with "
            "that indicator and no longer shows this target's progress",
            "I understand: the %(count)d values of the indicator it measures now stay with "
            "that indicator and no longer show this target's progress",
            values,
        ) % {"count": values}
        tags = content_languages()
        self.order_fields(["version", "indicator", *[f"name_{t}" for t in tags], "unit"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        named = any(data.get(f"name_{t}", "").strip() for t in content_languages())
        if bool(data.get("indicator")) == named:
            raise forms.ValidationError(_("Choose an indicator or name a new one (not both)."))
        return data

    def localized(self, name: str) -> LocalizedText:
        return localized_value(self, name)


class AssignmentForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.all())
    # A task has one lead and any number of co-implementers: the safe default is the common one.
    role = forms.ChoiceField(
        label=_("Role"), choices=Assignment.Role.choices, initial=Assignment.Role.CO
    )
    jurisdiction = forms.ModelChoiceField(
        label=_("Carried out locally in"),
        queryset=Jurisdiction.objects.exclude(level=Jurisdiction.Level.COUNTRY).order_by("code"),
        required=False,
        help_text=_("Leave empty for a national task"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        # By name in the page's language (pinyin order in Chinese), not by code.
        named = [(a.pk, choose(a.name).text or a.code) for a in Agency.objects.only("name", "code")]
        named.sort(key=lambda choice: sort_key(choice[1]))
        agency.choices = [("", "---------"), *named]


class RemoveAssignmentForm(forms.Form):
    """Removing an assignment: which one, the version the person saw, and their confirmation."""

    remove = forms.IntegerField(min_value=1, max_value=LARGEST, widget=forms.HiddenInput)
    version = VersionField()
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class IndicatorForm(forms.Form):
    version = VersionField()
    unit = forms.CharField(label=_("Unit"), max_length=32, required=False)
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
    type = forms.ChoiceField(
        label=_("Type"), choices=[("", "—"), *Indicator.Type.choices], required=False
    )
    disaggregations = forms.MultipleChoiceField(
        label=_("Disaggregations"),
        choices=[(d, d) for d in Indicator.DISAGGREGATIONS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    sdg_code = forms.CharField(label=_("SDG indicator"), max_length=16, required=False)

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        kwargs["initial"] = {
            "version": indicator.version,
            "unit": indicator.unit,
            "source": indicator.source,
            "type": indicator.type,
            "disaggregations": indicator.disaggregations,
            "sdg_code": indicator.sdg_code,
        }
        super().__init__(*args, **kwargs)
        add_localized_fields(self, "name", _("Name"), indicator.name)
        add_localized_fields(
            self, "definition", _("Definition"), indicator.definition, textarea=True
        )
        tags = content_languages()
        self.order_fields([f"name_{t}" for t in tags] + [f"definition_{t}" for t in tags])

    def localized(self, name: str) -> LocalizedText:
        return localized_value(self, name)
