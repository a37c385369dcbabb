from django import forms

from contracts import catalogue
from seams.models import User


class CorrectiveActionForm(forms.Form):
    title = forms.CharField(max_length=200, label="Action")
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True), error_messages={"required": "Name an owner."}
    )
    due_on = forms.DateField(
        label="Due", error_messages={"invalid": "Give the due date as YYYY-MM-DD."}
    )
    metric = forms.ChoiceField(choices=catalogue.CHOICES, label="Should move")
