from django import forms
from django.contrib.auth.models import Group

from contracts import catalogue
from contracts.models import (
    Assumption,
    Commitment,
    Contract,
    DecisionRight,
    Initiative,
    MetricTarget,
)
from seams.forms import PersonChoiceField
from seams.models import Seam, Team, User
from seams.permissions import LEADER


def leaders():
    return User.objects.filter(is_active=True, groups__in=Group.objects.filter(name=LEADER))


class ContractForm(forms.ModelForm):
    leader = PersonChoiceField(queryset=leaders(), help_text="The leader who owns the contract.")

    class Meta:
        model = Contract
        fields = ["title", "scope", "leader", "review_day"]
        widgets = {"scope": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders()


class AddSeamForm(forms.Form):
    seam = forms.ModelChoiceField(queryset=Seam.objects.none(), label="Seam to cover")

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seam"].queryset = (
            Seam.objects.exclude(status=Seam.Status.RETIRED)
            .exclude(pk__in=contract.seams.values("pk"))
            .select_related("from_team", "to_team")
        )
        self.fields["seam"].label_from_instance = lambda s: (
            f"{s.name} ({s.from_team.name} → {s.to_team.name})"
        )


class _ContractSeamMixin:
    """Restricts the seam field to the contract's own seams."""

    def limit_seams(self, contract: Contract) -> None:
        self.fields["seam"].queryset = contract.seams.all()
        self.instance.contract = contract


class TargetForm(_ContractSeamMixin, forms.ModelForm):
    class Meta:
        model = MetricTarget
        fields = ["seam", "metric", "target", "direction", "tolerance_pct"]
        labels = {"tolerance_pct": "Amber tolerance (%)"}

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_seams(contract)
        self.fields["direction"].required = False
        self.fields["direction"].help_text = "Left empty: the metric's usual direction."

    def clean_direction(self) -> str:
        direction = self.cleaned_data.get("direction")
        metric = self.cleaned_data.get("metric")
        if not direction and metric:
            return catalogue.BY_NAME[metric].better
        return direction or catalogue.LOWER


class DecisionRightForm(_ContractSeamMixin, forms.ModelForm):
    decider = PersonChoiceField(queryset=User.objects.filter(is_active=True))
    consulted_people = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    informed_people = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    consulted_teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    informed_teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = DecisionRight
        fields = [
            "decision_type",
            "seam",
            "decider",
            "decision_sla_hours",
            "escalation_forum",
            "consulted_people",
            "consulted_teams",
            "informed_people",
            "informed_teams",
        ]
        labels = {"decision_sla_hours": "Decision SLA (business hours)"}

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_seams(contract)
        self.fields["seam"].required = False
        self.fields["seam"].empty_label = "The whole contract"


class PublishForm(forms.Form):
    changelog = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What changed since the last revision, and why. The leaders it binds read this "
        "before they sign.",
    )


class TransitionForm(forms.Form):
    status = forms.ChoiceField(choices=Contract.Status.choices)


# --- Initiatives --------------------------------------------------------------------------


class InitiativeForm(forms.ModelForm):
    leader = PersonChoiceField(queryset=leaders())

    class Meta:
        model = Initiative
        fields = ["name", "description", "leader", "target_date"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "target_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders()


class CommitmentForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["team", "description", "commitment"]
        labels = {"description": "The initiative in one line, as this team sees it"}
        widgets = {"commitment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams
        if self.instance.pk:
            del self.fields["team"]


class AssumptionForm(forms.ModelForm):
    owner = PersonChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Who checks that it holds. An assumption nobody owns is how launches slip.",
    )

    class Meta:
        model = Assumption
        fields = [
            "statement",
            "from_commitment",
            "to_commitment",
            "owner",
            "status",
            "check_by",
            "notes",
        ]
        labels = {"from_commitment": "Relied on by", "to_commitment": "Relies on"}
        widgets = {
            "check_by": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.initiative = initiative
        commitments = initiative.commitments.select_related("team")
        for name in ("from_commitment", "to_commitment"):
            self.fields[name].queryset = commitments
            self.fields[name].label_from_instance = lambda c: c.team.name
