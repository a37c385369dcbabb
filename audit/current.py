"""What the loggers know about the moment: the request being answered, if any, and whether
auditlog is switched off."""

from contextvars import ContextVar

from auditlog.context import auditlog_disabled
from django.http import HttpRequest

# The request being answered, set by RefusedWriteMiddleware for the length of the request.
current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


def disabled() -> bool:
    """Whether auditlog is switched off (`auditlog.context.disable_auditlog`)."""
    return auditlog_disabled.get()
