from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    """Where the work happens: inbound sources (Jira, GitHub, Linear, generic) that send
    handoffs in, and outbound channels (email, Slack, Teams, signed webhooks) that carry
    warnings out, with subscriptions and deliveries."""

    name = "connections"

    def ready(self) -> None:
        from connections.notify import subscribe_to_events

        subscribe_to_events()
