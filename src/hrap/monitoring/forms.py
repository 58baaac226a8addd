"""Forms of monitoring: cycles, reports, their return, and the entry grid's cells."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hrap.core.forms import ValueField, VersionField
from hrap.core.numbers import parse_value
from hrap.monitoring.models import Observation, ProgressReport


class CycleForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=16, help_text=_("2023, or 2023-Q1"))
    opens = forms.DateField(label=_("Opens"), widget=forms.DateInput(attrs={"type": "date"}))
    due = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    closes = forms.DateField(label=_("Closes"), widget=forms.DateInput(attrs={"type": "date"}))
    open_now = forms.BooleanField(
        label=_("Open it now: one report for every assignment of the plan"),
        required=False,
        initial=True,
        help_text=_("Untick to keep it planned, to be opened from its page later."),
    )


class CycleFilterForm(forms.Form):
    """What the cycle page shows: filters and the order, all optional (GET)."""

    SORTS = (
        ("task", _("task order")),
        ("state", _("state")),
        ("agency", _("agency")),
        ("place", _("place")),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("any")), *list(ProgressReport.State.choices)],
    )
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    part = forms.ChoiceField(label=_("Part"), required=False)
    place = forms.ChoiceField(label=_("Place"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)

    def __init__(
        self,
        data: Any,
        *,
        agencies: list[tuple[str, str]],
        parts: list[tuple[str, str]],
        places: list[tuple[str, str]],
    ) -> None:
        super().__init__(data)
        self._choices("agency").choices = [("", _("any")), *agencies]
        self._choices("part").choices = [("", _("any")), *parts]
        self._choices("place").choices = [("", _("any")), ("national", _("national")), *places]

    def _choices(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def given(self) -> dict[str, Any]:
        """The valid filters; a value that is not one of the choices is ignored (and shown as an
        error beside its field), never a server error."""
        self.is_valid()
        return {
            name: self.cleaned_data.get(name)
            for name in self.fields
            if name not in self.errors and self.cleaned_data.get(name)
        }


class ReportForm(forms.Form):
    version = VersionField()
    progress = forms.ChoiceField(label=_("Status"), choices=ProgressReport.Progress.choices)
    narrative = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    measures = forms.CharField(
        label=_("Measures taken"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    difficulties = forms.CharField(
        label=_("Difficulties"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    next_steps = forms.CharField(
        label=_("Next steps"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ReturnForm(forms.Form):
    # Not required in the page: the same form approves; returning without a reason is refused
    # by the service, with the text kept.
    reason = forms.CharField(
        label=_("What should be revised (to return the report)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ValueGridForm(forms.Form):
    """The entry grid's cells: what is typed in each (`v-<cell>`), and the version and value
    each was shown with (`o-<cell>` = "3:37.5", absent for an empty cell), so that only the
    cells the person changed are saved, and a value someone else changed meanwhile is seen."""

    source = forms.CharField(label=_("Source"), required=False, max_length=300)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("keep each value's status")), *Observation.Status.choices],
        help_text=_("for the values you change; new values are provisional unless you choose"),
    )

    def __init__(self, *args: Any, cells: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cells = cells
        for cell in cells:
            self.fields[f"v-{cell}"] = ValueField(required=False)
            self.fields[f"o-{cell}"] = forms.CharField(required=False, max_length=100)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for cell in self.cells:
            shown = cleaned.get(f"o-{cell}") or ""
            version, _colon, value = shown.partition(":")
            try:
                original = parse_value(value) if value else None
                cleaned[f"o-{cell}"] = (int(version) if shown else 0, original)
                if cleaned[f"o-{cell}"][0] < 0:
                    raise ValueError
            except ValueError:
                self.add_error(
                    f"v-{cell}", _("The page was not sent whole; reload it and type again.")
                )
        return cleaned

    def changed_cells(self) -> list[tuple[str, Decimal, int]]:
        """(cell, typed value, version it was shown with) for each cell typed differently from
        what it showed; an emptied cell keeps its value."""
        changed = []
        for cell in self.cells:
            typed = self.cleaned_data.get(f"v-{cell}")
            version, original = self.cleaned_data[f"o-{cell}"]
            if typed is not None and typed != original:
                changed.append((cell, typed, version))
        return changed
