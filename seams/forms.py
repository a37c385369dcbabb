from django import forms
from django.forms import inlineformset_factory

from seams.models import Membership, Team, User


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} · {obj.job_title}" if obj.job_title else obj.display_name


class TeamForm(forms.ModelForm):
    leader = PersonChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="The executive the team reports to.",
    )

    class Meta:
        model = Team
        fields = ["name", "description", "leader"]


class MembershipForm(forms.ModelForm):
    user = PersonChoiceField(queryset=User.objects.filter(is_active=True), label="Person")

    class Meta:
        model = Membership
        fields = ["user", "role"]
        help_texts = {"role": "Owners edit the handoff specs of their team's seams."}


MembershipFormSet = inlineformset_factory(
    Team, Membership, form=MembershipForm, extra=3, can_delete=True
)
