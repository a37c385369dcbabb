from connections.outbound_admin import ChannelAdmin, DeliveryAdmin, NotificationAdmin  # noqa: F401
