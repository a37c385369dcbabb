import re
from decimal import Decimal

from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from contracts import catalogue
from contracts.models import (
    RESPONSE_SLA,
    Assumption,
    Commitment,
    Contract,
    DecisionRight,
    Initiative,
    MetricTarget,
    SpecTemplate,
)
from seams.forms import ChecklistField, HoursField, PersonChoiceField
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
        # Ids of its own: the contract page also shows the target and decision-right forms.
        kwargs.setdefault("auto_id", "id_cover_%s")
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
        kwargs.setdefault("auto_id", "id_target_%s")  # beside the decision-right form's seam
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
        fields = list(Assumption.EDITABLE_FIELDS)
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


# --- The spec template library --------------------------------------------------------------

TARGET_ROWS = 3
# What people may type instead of a number to mean "follow the spec's response SLA".
SLA_WORDS = {"sla", "response_sla", "response sla"}
# The widest number a MetricTarget holds, so that a suggestion can always become a target.
_TARGET_NUMBER = forms.DecimalField(
    max_digits=9,
    decimal_places=2,
    error_messages={"invalid": "Enter a number, or “sla” to follow the response SLA."},
)


def parse_target(text: str) -> int | float | str:
    """A target as typed ("10", "12.5", "sla") → as stored in suggested_targets."""
    if text.strip().lower() in SLA_WORDS:
        return RESPONSE_SLA
    number = _TARGET_NUMBER.clean(text)
    # JSON holds plain numbers; whole ones stay whole so the stored list reads like the input.
    return int(number) if number == number.to_integral_value() else float(number)


def target_text(target) -> str:
    if target == RESPONSE_SLA:
        return "sla"
    return f"{Decimal(str(target)).normalize():f}"


class SpecTemplateForm(forms.ModelForm):
    """A template, with its suggested targets edited as a few rows of metric and target."""

    definition_of_ready = ChecklistField(
        required=False,
        label="Definition of ready",
        help_text="One item per line: what the sender provides before the clock starts.",
    )

    class Meta:
        model = SpecTemplate
        fields = [
            "name",
            "description",
            "definition_of_ready",
            "definition_of_done",
            "response_sla_hours",
            "completion_sla_hours",
            "escalate_after_hours",
            "forum",
            "position",
        ]
        field_classes = {
            "response_sla_hours": HoursField,
            "completion_sla_hours": HoursField,
            "escalate_after_hours": HoursField,
        }
        widgets = {"definition_of_done": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "response_sla_hours": "Response SLA (business hours)",
            "completion_sla_hours": "Completion SLA (business hours)",
            "escalate_after_hours": "Escalate after (business hours)",
            "definition_of_done": "Definition of done",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        suggested = list(self.instance.suggested_targets or [])
        # One row per stored suggestion (the admin allows up to five), so saving keeps them all.
        self.row_numbers = range(1, max(TARGET_ROWS, len(suggested)) + 1)
        for row in self.row_numbers:
            item = suggested[row - 1] if row <= len(suggested) else None
            self.fields[f"metric_{row}"] = forms.ChoiceField(
                choices=[("", "—"), *catalogue.CHOICES],
                required=False,
                label=f"Suggestion {row}: metric",
                initial=item["metric"] if item else "",
            )
            self.fields[f"target_{row}"] = forms.CharField(
                max_length=20,
                required=False,
                label=f"Suggestion {row}: target",
                initial=target_text(item["target"]) if item else "",
            )

    @property
    def template_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self._meta.fields]

    @property
    def target_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"metric_{row}"], self[f"target_{row}"]) for row in self.row_numbers]

    def clean(self) -> dict:
        data = super().clean()
        suggestions, rows, complete = [], [], True
        for row in self.row_numbers:
            metric, text = data.get(f"metric_{row}"), (data.get(f"target_{row}") or "").strip()
            if f"metric_{row}" in self.errors or f"target_{row}" in self.errors:
                complete = False
            elif metric and text:
                try:
                    suggestions.append({"metric": metric, "target": parse_target(text)})
                    rows.append(row)
                except ValidationError as error:
                    self.add_error(f"target_{row}", error)
                    complete = False
            elif metric:
                self.add_error(f"target_{row}", "Give a target, or “sla”.")
                complete = False
            elif text:
                self.add_error(f"metric_{row}", "Choose the metric this target is for.")
                complete = False
        if complete:
            self._check_suggestions(suggestions, rows)
        return data

    def _check_suggestions(self, suggestions: list[dict], rows: list[int]) -> None:
        """Run the model's own validators on the list, and point an error at its row."""
        field = SpecTemplate._meta.get_field("suggested_targets")
        try:
            self.instance.suggested_targets = field.clean(suggestions, self.instance)
        except ValidationError as error:
            # The validator numbers suggestions by their place in the list; empty rows were
            # left out of it, so translate that number back into the row the person sees.
            for message in error.messages:
                found = re.match(r"Suggestion (\d+)", message)
                if not found:
                    self.add_error(None, message)
                    continue
                row = rows[int(found.group(1)) - 1]
                self.add_error(f"target_{row}", f"Suggestion {row}{message[found.end() :]}")
