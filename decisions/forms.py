from django import forms
from django.utils import timezone

from contracts.models import Contract, DecisionRight
from decisions.models import Constraint, Dependency, Escalation
from decisions.services import find_decision_right
from seams.forms import PersonChoiceField
from seams.models import Seam, Team, User


def seam_choices():
    return Seam.objects.exclude(status=Seam.Status.RETIRED).select_related("from_team", "to_team")


class SeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, seam: Seam) -> str:
        return f"{seam.from_team.name} → {seam.to_team.name}: {seam.name}"


class QuickDecisionForm(forms.Form):
    """Log a decision in seconds: the decider and due time come from the decision right."""

    question = forms.CharField(max_length=300, label="Decision needed")
    seam = SeamChoiceField(queryset=seam_choices(), required=False, empty_label="Choose a seam")
    decision_type = forms.CharField(max_length=80, label="Type")
    decider = PersonChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Only needed when no decision right covers the type at this seam.",
    )
    contract = forms.ModelChoiceField(
        queryset=Contract.objects.exclude(status=Contract.Status.RETIRED),
        required=False,
        help_text="For a decision about a whole contract rather than one seam.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seam"].queryset = seam_choices()
        self.right = None

    def clean(self) -> dict:
        data = super().clean()
        seam, contract = data.get("seam"), data.get("contract")
        if not seam and not contract:
            self.add_error("seam", "Tag the decision to a seam (or a contract).")
            return data
        if data.get("decision_type") and seam:
            self.right = find_decision_right(seam=seam, decision_type=data["decision_type"])
        if self.right is None and not data.get("decider"):
            self.add_error(
                "decider",
                "No decision right covers this type at this seam: name the decider (and add "
                "the right to the contract so next time it is filled in).",
            )
        return data


def known_decision_types() -> list[str]:
    return sorted(set(DecisionRight.objects.values_list("decision_type", flat=True)), key=str.lower)


class DecideForm(forms.Form):
    outcome = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    rationale = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionFilterForm(forms.Form):
    STATUSES = [
        ("", "All"),
        ("pending", "Needs a decision"),
        ("overdue", "Overdue"),
        ("reopened", "Reopened"),
        ("decided", "Decided"),
        ("withdrawn", "Withdrawn"),
    ]

    q = forms.CharField(required=False, label="Search", max_length=100)
    status = forms.ChoiceField(choices=STATUSES, required=False)
    seam = forms.ModelChoiceField(
        queryset=Seam.objects.all(), to_field_name="slug", required=False, empty_label="All seams"
    )
    decision_type = forms.CharField(required=False, max_length=80, label="Type")
    decider = forms.ModelChoiceField(
        queryset=User.objects.filter(decisions__isnull=False).distinct(),
        to_field_name="username",
        required=False,
        empty_label="Anyone",
    )

    def apply(self, decisions, now):
        data = self.cleaned_data
        status = data.get("status")
        if status == "pending":
            decisions = decisions.pending()
        elif status == "overdue":
            decisions = decisions.overdue(now)
        elif status:
            decisions = decisions.filter(status=status)
        if data.get("seam"):
            decisions = decisions.filter(seam=data["seam"])
        if data.get("decision_type"):
            decisions = decisions.filter(decision_type__iexact=data["decision_type"])
        if data.get("decider"):
            decisions = decisions.filter(decider=data["decider"])
        return decisions.search(data.get("q") or "")


class EscalationForm(forms.ModelForm):
    seam = SeamChoiceField(queryset=seam_choices())

    class Meta:
        model = Escalation
        fields = ["summary", "seam", "severity", "cause"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seam"].queryset = seam_choices()


class ResolveForm(forms.Form):
    resolution = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    root_cause = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ConstraintForm(forms.ModelForm):
    owner = PersonChoiceField(queryset=User.objects.filter(is_active=True))
    seam = SeamChoiceField(queryset=seam_choices(), required=False)

    class Meta:
        model = Constraint
        fields = ["description", "owner", "seam", "team", "raised_at"]
        widgets = {"raised_at": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seam"].queryset = seam_choices()

    def clean_raised_at(self):
        raised = self.cleaned_data["raised_at"]
        if raised and raised > timezone.localdate():
            raise forms.ValidationError("A constraint is raised today or earlier.")
        return raised


class DependencyForm(forms.ModelForm):
    owner = PersonChoiceField(queryset=User.objects.filter(is_active=True))
    seam = SeamChoiceField(queryset=seam_choices(), required=False)

    class Meta:
        model = Dependency
        fields = ["title", "provider", "consumer", "seam", "owner", "needed_by", "committed_date"]
        labels = {"provider": "Provider team", "consumer": "Team that needs it"}
        widgets = {
            "needed_by": forms.DateInput(attrs={"type": "date"}),
            "committed_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seam"].queryset = seam_choices()


class MoveForm(forms.Form):
    status = forms.ChoiceField(choices=Dependency.Status.choices)


class BoardFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), to_field_name="slug", required=False, empty_label="All teams"
    )
    seam = forms.ModelChoiceField(
        queryset=Seam.objects.all(), to_field_name="slug", required=False, empty_label="All seams"
    )
