from django import forms
from django.utils.translation import gettext_lazy as _

from hrap.monitoring.models import ProgressReport


class CycleForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=16, help_text=_("2023, or 2023-Q1"))
    opens = forms.DateField(label=_("Opens"), widget=forms.DateInput(attrs={"type": "date"}))
    due = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    closes = forms.DateField(label=_("Closes"), widget=forms.DateInput(attrs={"type": "date"}))


class ReportForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
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
    reason = forms.CharField(
        label=_("What should be revised"), widget=forms.Textarea(attrs={"rows": 3})
    )
