from connections.outbound_models import (  # noqa: F401
    Channel,
    Delivery,
    DeliveryAttempt,
    EmailSubscription,
    Notification,
)
