from django import forms
from django.utils import timezone

from contracts.models import Contract, DecisionRight, Initiative
from decisions.models import Constraint, Decision, Dependency, Escalation
from decisions.services import find_decision_right
from seams import permissions
from seams.forms import PersonChoiceField
from seams.models import Seam, Team, User


def seam_choices():
    return Seam.objects.exclude(status=Seam.Status.RETIRED).select_related("from_team", "to_team")


class SeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, seam: Seam) -> str:
        return f"{seam.from_team.name} → {seam.to_team.name}: {seam.name}"


class PlacedWriteForm:
    """A write at places (seams, teams). The signed-in `user` must log at every place it names
    (a 403 otherwise: `permissions.require_log_at`), and a person it names must be one who may
    act there (a field error: `permissions.named_person_error`). Without a `user` the form only
    displays."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def check_places(self, places, **named) -> None:
        # With no place chosen yet the form's errors say so; there is nothing to refuse.
        if self.user is not None and any(place is not None for place in places):
            permissions.require_log_at(self.user, *places)
        for name, person in named.items():
            problem = permissions.named_person_error(person, *places)
            if problem:
                self.add_error(name, problem)


class QuickDecisionForm(PlacedWriteForm, forms.Form):
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
        # The right's decider was checked when the right was written; one named here is now.
        named = {"decider": data.get("decider")} if self.right is None else {}
        self.check_places([Decision.place_of(seam, contract)], **named)
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


class EscalationForm(PlacedWriteForm, forms.ModelForm):
    seam = SeamChoiceField(queryset=seam_choices())

    class Meta:
        model = Escalation
        fields = ["summary", "seam", "severity", "cause"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seam"].queryset = seam_choices()

    def clean(self) -> dict:
        data = super().clean()
        self.check_places([data.get("seam")])
        return data


class ResolveForm(forms.Form):
    resolution = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    root_cause = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ConstraintForm(PlacedWriteForm, forms.ModelForm):
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

    def clean(self) -> dict:
        data = super().clean()
        # The owner is checked by Constraint.clean(), which the model form runs next.
        self.check_places(Constraint.places_of(data.get("seam"), data.get("team")))
        return data


class DependencyForm(PlacedWriteForm, forms.ModelForm):
    owner = PersonChoiceField(queryset=User.objects.filter(is_active=True))
    seam = SeamChoiceField(queryset=seam_choices(), required=False)
    initiative = forms.ModelChoiceField(
        queryset=Initiative.objects.all(),
        required=False,
        empty_label="None",
        help_text="The launch it is needed for: its forecast counts it.",
    )

    class Meta:
        model = Dependency
        fields = [
            "title",
            "provider",
            "consumer",
            "seam",
            "initiative",
            "owner",
            "needed_by",
            "committed_date",
        ]
        labels = {"provider": "Provider team", "consumer": "Team that needs it"}
        widgets = {
            "needed_by": forms.DateInput(attrs={"type": "date"}),
            "committed_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seam"].queryset = seam_choices()

    def clean(self) -> dict:
        data = super().clean()
        # The owner is checked by Dependency.clean(), which the model form runs next.
        self.check_places(
            Dependency.places_of(data.get("provider"), data.get("consumer"), data.get("seam"))
        )
        return data


class MoveForm(forms.Form):
    status = forms.ChoiceField(choices=Dependency.Status.choices)


class LinkInitiativeForm(forms.Form):
    """Which initiative a dependency is needed for; an empty initiative unlinks it."""

    dependency = forms.ModelChoiceField(queryset=Dependency.objects.with_related())
    initiative = forms.ModelChoiceField(
        queryset=Initiative.objects.all(), to_field_name="slug", required=False
    )

    def problem(self) -> str:
        if "dependency" in self.errors:
            return "choose one of the dependencies."
        asked = str(self.data.get("initiative", ""))[:80]
        return f"there is no initiative “{asked}”."


class BoardFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), to_field_name="slug", required=False, empty_label="All teams"
    )
    seam = forms.ModelChoiceField(
        queryset=Seam.objects.all(), to_field_name="slug", required=False, empty_label="All seams"
    )


class HistoryImportForm(forms.Form):
    """Upload a CSV of decisions, escalations or dependencies (history from other tools)."""

    MODES = [
        ("all", "All or nothing: import only if every row is valid"),
        ("partial", "Import the valid rows and report the others"),
    ]

    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, or Excel's Windows-1252; a header row naming the columns below.",
    )
    mode = forms.ChoiceField(
        choices=MODES, initial="all", widget=forms.RadioSelect, label="If some rows are invalid"
    )

    def clean_file(self):
        from decisions.history_import import max_bytes

        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(
                f"The file is {upload.size / 1e6:.1f} MB; the limit is "
                f"{max_bytes() / 1e6:.0f} MB. Split it and import the parts."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload
