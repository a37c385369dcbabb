from connections.models.inbound import (
    Delivery,
    MappingRule,
    Source,
    SourceSecret,
)

__all__ = ["Delivery", "MappingRule", "Source", "SourceSecret"]
