from connections.models.outbound import (
    EVENTS,
    TEST_EVENT,
    Channel,
    DeliveryAttempt,
    EmailSubscription,
    Notification,
    OutboundDelivery,
)

__all__ = [
    "EVENTS",
    "TEST_EVENT",
    "Channel",
    "DeliveryAttempt",
    "EmailSubscription",
    "Notification",
    "OutboundDelivery",
]
