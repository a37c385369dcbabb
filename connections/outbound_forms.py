"""Forms of the outbound pages: a channel (where, which events, which scope) and a person's
email subscriptions."""

import ipaddress
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from connections.deliveries import Refused, check_url
from connections.models import EVENTS, Channel
from contracts.models import Contract
from seams.models import Seam, Team

SLACK_HOST = "hooks.slack.com"
LOOPBACK_HOSTS = {"localhost"}


def _loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ChannelForm(forms.ModelForm):
    url = forms.URLField(
        label="Webhook URL",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Slack: https://hooks.slack.com/services/…; Teams: the URL of the Workflows "
        "flow “Post to a channel when a webhook request is received”; Standard Webhooks: any "
        "https:// URL.",
    )
    events = forms.MultipleChoiceField(
        choices=list(EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="What this channel hears about.",
    )
    seam = forms.ModelChoiceField(
        queryset=Seam.objects.order_by("name"),
        required=False,
        help_text="Only this seam's events. Leave the scope empty for the whole organisation.",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        help_text="Only events at the seams this team sends or receives.",
    )
    contract = forms.ModelChoiceField(
        queryset=Contract.objects.order_by("title"),
        required=False,
        help_text="Only events of this contract and its seams.",
    )

    class Meta:
        model = Channel
        fields = ["name", "kind", "url", "email", "events", "seam", "team", "contract", "active"]
        labels = {"email": "Email address"}
        help_texts = {
            "active": "An inactive channel receives nothing.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Channel.Kind.choices  # no blank: a kind is required

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean(self) -> dict:
        data = super().clean()
        scopes = [name for name in ("seam", "team", "contract") if data.get(name)]
        if len(scopes) > 1:
            raise ValidationError("Choose one scope at most: a seam, a team or a contract.")
        kind = data.get("kind")
        if kind == Channel.Kind.EMAIL:
            if not data.get("email"):
                self.add_error("email", "An email channel needs an address.")
            data["url"] = ""
        elif kind:
            self._clean_url(kind, data.get("url") or "")
            data["email"] = ""
        return data

    def _clean_url(self, kind: str, url: str) -> None:
        if not url:
            if "url" not in self.errors:
                self.add_error("url", "This channel needs its webhook URL.")
            return
        host = urlsplit(url).hostname or ""
        local = settings.OUTBOUND_ALLOW_PRIVATE_URLS and _loopback(host)
        if kind == Channel.Kind.SLACK and host != SLACK_HOST and not local:
            self.add_error("url", "A Slack incoming webhook URL starts https://hooks.slack.com/.")
            return
        try:
            check_url(url)
        except Refused as refused:
            self.add_error("url", str(refused))


class SubscriptionForm(forms.Form):
    events = forms.MultipleChoiceField(
        choices=list(EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Email me about",
        help_text="Only events that concern you: your seams, your decisions, your actions, "
        "your signatures, your reviews.",
    )
