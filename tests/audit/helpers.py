"""What the audit log's tests share."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from seams.models import Handoff, HandoffSpec, Seam, SpecVersion, Team, User


def entries_for(obj) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk)
        ).order_by("timestamp", "pk")
    )


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def row_counts() -> dict:
    """Rows of what a refused write might have touched, to check that it touched none."""
    return {
        model.__name__: model.objects.count()
        for model in (LogEntry, Team, Seam, HandoffSpec, SpecVersion, Handoff, User)
    }
