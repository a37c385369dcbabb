from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    """The guided start ("Start here")."""

    name = "onboarding"
