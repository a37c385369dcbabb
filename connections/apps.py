from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    """Where the work happens: inbound sources (Jira, GitHub, Linear, generic) that send
    handoffs in, and outbound channels (email, Slack, Teams, signed webhooks) that carry
    warnings out, with subscriptions and deliveries."""

    name = "connections"

    def ready(self) -> None:
        from connections.notify import subscribe_to_events
        from connections.outbound_digest import add_digest_sections

        subscribe_to_events()
        add_digest_sections()
