from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    """The guided start ("Start here")."""

    name = "onboarding"

    def ready(self) -> None:
        from common import panels
        from onboarding.views import teams_notice

        panels.register("teams-notices", teams_notice)
