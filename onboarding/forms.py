"""The forms of the guided start's steps (onboarding/guide.py lists the steps and the modules
that hold what they do)."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from connections.models import Source as InboundSource
from contracts import catalogue
from contracts.models import Contract, SpecTemplate
from decisions.models import Escalation
from onboarding import cadence, misses, pilot
from onboarding.models import GuidedStart
from seams import permissions
from seams.forms import HoursField, PersonChoiceField
from seams.models import Seam, User

CAUSE_CHOICES = [("", "Cause: not sure"), *Escalation.Cause.choices]


class MissesForm(forms.Form):
    text = forms.CharField(
        label="Recent misses",
        max_length=30_000,
        widget=forms.Textarea(attrs={"rows": 7, "spellcheck": "true"}),
        help_text=(
            "One per line, as you would tell them. Or paste a small CSV with a header row: "
            "summary, date, cause, from_team, to_team (only summary is needed)."
        ),
    )

    def clean_text(self) -> list[misses.MissInput]:
        try:
            return misses.parse_misses(self.cleaned_data["text"])
        except misses.MissesRefused as refused:
            raise forms.ValidationError(refused.problems) from refused


def active_seams():
    return Seam.objects.exclude(status=Seam.Status.RETIRED).select_related("from_team", "to_team")


def seam_options() -> list[tuple[str, str]]:
    """The seams a miss can be tagged to, read once for every row of the page."""
    return [("", "New seam: name its teams")] + [
        (str(seam.pk), seam_label(seam)) for seam in active_seams()
    ]


def seam_label(seam: Seam) -> str:
    """ "Security sign-off (Sales → Security)"; a seam named after its teams just once."""
    between = f"{seam.from_team.name} → {seam.to_team.name}"
    return seam.name if seam.name == between else f"{seam.name} ({between})"


class ChosenSeamField(forms.ModelChoiceField):
    def label_from_instance(self, seam: Seam) -> str:
        return seam_label(seam)


class TagForm(forms.Form):
    """Tag one miss: an existing seam, or the two teams either side of it."""

    seam = forms.ChoiceField(required=False)
    from_team = forms.CharField(
        max_length=80, required=False, label="From team", help_text="The team that sends work."
    )
    to_team = forms.CharField(
        max_length=80, required=False, label="To team", help_text="The team that receives it."
    )
    cause = forms.ChoiceField(choices=CAUSE_CHOICES, required=False)

    def __init__(self, *args, options: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seam"].choices = options if options is not None else seam_options()

    def clean_seam(self) -> Seam | None:
        pk = self.cleaned_data["seam"]
        return active_seams().get(pk=pk) if pk else None

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("seam") and not (data.get("from_team") and data.get("to_team")):
            raise forms.ValidationError(
                "Pick the seam, or name the team that sends the work and the one that receives it."
            )
        return data


class ChooseSeamsForm(forms.Form):
    seams = forms.ModelMultipleChoiceField(
        queryset=Seam.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one seam to work on."},
    )

    def __init__(self, *args, seams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seams"].queryset = seams


class CadenceDecisionForm(forms.Form):
    question = forms.CharField(max_length=300, label="Decision to make")
    seam = ChosenSeamField(queryset=Seam.objects.none(), empty_label=None)
    decider = PersonChoiceField(
        queryset=User.objects.filter(is_active=True), help_text="The single person who decides."
    )
    decision_type = forms.CharField(
        max_length=80,
        required=False,
        label="Type",
        help_text=f"“{cadence.DEFAULT_DECISION_TYPE}” if left empty.",
    )

    def __init__(self, *args, seams, **kwargs):
        kwargs.setdefault("auto_id", "id_decision_%s")
        super().__init__(*args, **kwargs)
        self.fields["seam"].queryset = seams

    def clean(self) -> dict:
        data = super().clean()
        seam = data.get("seam")
        problem = seam and permissions.named_person_error(data.get("decider"), seam)
        if problem:
            self.add_error("decider", problem)
        return data


class CadenceConstraintForm(forms.Form):
    description = forms.CharField(max_length=300, label="Constraint to remove")
    seam = ChosenSeamField(queryset=Seam.objects.none(), empty_label=None)
    owner = PersonChoiceField(
        queryset=User.objects.filter(is_active=True), help_text="Who works to remove it."
    )

    def __init__(self, *args, seams, **kwargs):
        kwargs.setdefault("auto_id", "id_constraint_%s")
        super().__init__(*args, **kwargs)
        self.fields["seam"].queryset = seams

    def clean(self) -> dict:
        data = super().clean()
        # The rule Constraint.clean() applies when the guide saves it, shown here as a field error.
        seam = data.get("seam")
        problem = seam and permissions.named_person_error(data.get("owner"), seam)
        if problem:
            self.add_error("owner", problem)
        return data


class SpecChoiceForm(forms.Form):
    """Which chosen seam the spec is for, and the template it started from."""

    seam = forms.ModelChoiceField(queryset=Seam.objects.none(), to_field_name="slug")
    template = forms.ModelChoiceField(
        queryset=SpecTemplate.objects.all(), to_field_name="slug", required=False
    )

    def __init__(self, *args, seams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seam"].queryset = seams


class SourceForm(forms.Form):
    source = forms.ChoiceField(
        choices=GuidedStart.Source.choices,
        widget=forms.RadioSelect,
        label="How will handoffs reach Seamline?",
    )


class JiraMappingForm(forms.ModelForm):
    class Meta:
        model = InboundSource
        fields = ["started_statuses", "done_statuses"]
        labels = {
            "started_statuses": "Statuses that mean started",
            "done_statuses": "Statuses that mean done",
        }

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("started_statuses") or "").strip():
            self.add_error("started_statuses", "Name at least one status, e.g. In Progress.")
        if not (data.get("done_statuses") or "").strip():
            self.add_error("done_statuses", "Name at least one status, e.g. Done.")
        return data


class FinishForm(forms.Form):
    """The contract the guided start ends with: three metric targets and the review day."""

    title = forms.CharField(max_length=120, help_text="What leaders will call this contract.")
    scope = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The initiative or business area it governs.",
    )
    review_day = forms.IntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        label="Review day of the month",
        help_text="1–28, so every month has it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, pilot.METRICS_TO_CHOOSE + 1):
            self.fields[f"metric_{n}"] = forms.ChoiceField(
                choices=catalogue.CHOICES, label=f"Metric {n}"
            )
            # Shown as people write targets: 16, not 16.00.
            self.fields[f"target_{n}"] = HoursField(
                max_digits=9,
                decimal_places=2,
                min_value=Decimal(0),
                label="Target",
                widget=forms.NumberInput(attrs={"step": "any", "min": "0"}),
            )

    @property
    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"metric_{n}"], self[f"target_{n}"])
            for n in range(1, pilot.METRICS_TO_CHOOSE + 1)
        ]

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        probe = Contract(title=title)
        try:
            probe.clean()  # derives the address and checks no contract has it
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.message_dict.get("name", exc.messages)) from exc
        return title

    def clean(self) -> dict:
        data = super().clean()
        metrics = [data.get(f"metric_{n}") for n in range(1, pilot.METRICS_TO_CHOOSE + 1)]
        chosen = [m for m in metrics if m]
        if len(set(chosen)) < len(chosen):
            raise forms.ValidationError("Choose three different metrics.")
        return data

    def targets(self) -> list[tuple[str, Decimal]]:
        data = self.cleaned_data
        return [
            (data[f"metric_{n}"], data[f"target_{n}"])
            for n in range(1, pilot.METRICS_TO_CHOOSE + 1)
        ]
