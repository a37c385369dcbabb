from datetime import timedelta

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from connections.models import MappingRule, Source
from seams.models import Seam


class SourceForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = ["kind", "name", "slug"]
        labels = {"kind": "Tool", "slug": "Address (in the URL)"}
        help_texts = {
            "slug": "Lower-case letters, digits and hyphens: /api/v1/hooks/handoffs/<this>/.",
        }

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the source a name.")
        return name


class StatusesForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = ["started_statuses", "done_statuses", "active"]
        labels = {
            "started_statuses": "Statuses that mean started",
            "done_statuses": "Statuses that mean done",
            "active": "Accept deliveries",
        }

    def clean(self) -> dict:
        data = super().clean()
        started = bool((data.get("started_statuses") or "").strip())
        done = bool((data.get("done_statuses") or "").strip())
        if started != done:
            self.add_error(
                "done_statuses" if started else "started_statuses",
                "Name both, or leave both empty to follow the status categories.",
            )
        return data


class RuleForm(forms.ModelForm):
    class Meta:
        model = MappingRule
        fields = ["field", "value", "seam"]
        labels = {"field": "When", "value": "is", "seam": "the seam is"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seam"].queryset = Seam.objects.order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("field") != MappingRule.Field.ANY and not (data.get("value") or "").strip():
            self.add_error("value", "Say what it must be (a project key, label, …).")
        return data


class RotateForm(forms.Form):
    overlap_hours = forms.IntegerField(
        initial=24,
        validators=[MinValueValidator(0), MaxValueValidator(24 * 14)],
        label="Keep the old secret working for (hours)",
        help_text="0 ends it at once; at most two weeks.",
    )
    value = forms.CharField(
        required=False,
        max_length=200,
        label="Use a secret from the tool",
        help_text="Leave empty to generate one (Linear generates its own: paste it here).",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_value(self) -> str:
        value = self.cleaned_data["value"].strip()
        if value and len(value) < 16:
            raise forms.ValidationError("A secret needs at least 16 characters.")
        if "\x00" in value:
            raise forms.ValidationError("The secret contains a NUL character.")
        return value

    @property
    def overlap(self) -> timedelta:
        return timedelta(hours=self.cleaned_data["overlap_hours"])
