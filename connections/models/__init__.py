from connections.models.inbound import (
    Delivery,
    MappingRule,
    Source,
    SourceSecret,
)
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
    "Delivery",
    "DeliveryAttempt",
    "EmailSubscription",
    "MappingRule",
    "Notification",
    "OutboundDelivery",
    "Source",
    "SourceSecret",
]
