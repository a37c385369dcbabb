from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response

from common.api_errors import error_body
from common.schema import SLUG, ApiSchema, error_responses
from seams import permissions
from seams.handoffs import (
    HandoffInputRefused,
    HandoffRefused,
    resubmit_handoff,
    return_handoff,
)
from seams.ingest import FUTURE_SLACK, MAX_LENGTHS, ingest, load_seams
from seams.models import Calendar, Handoff, HandoffSpec, Seam, Team
from seams.serializers import (
    CalendarSerializer,
    HandoffResubmitSerializer,
    HandoffReturnSerializer,
    HandoffRowSerializer,
    HandoffSerializer,
    IngestResultSerializer,
    SeamSerializer,
    SpecSerializer,
    SpecVersionSerializer,
    StaleSpecSerializer,
    TeamSerializer,
)
from seams.services import SpecConflict, create_seam, restore_spec_version, save_spec


class LeadersWrite(drf_permissions.BasePermission):
    """Everyone signed in reads; writing takes the `may_write` predicate (leaders)."""

    message = "Only leaders change this."
    may_write = staticmethod(permissions.is_leader)

    def has_permission(self, request, view) -> bool:
        if request.method in drf_permissions.SAFE_METHODS:
            return permissions.can_read(request.user)
        return self.may_write(request.user)


class TeamPermission(LeadersWrite):
    message = "Only leaders change teams and who belongs to them."
    may_write = staticmethod(permissions.can_manage_teams)


class CalendarPermission(LeadersWrite):
    message = "Only leaders manage business calendars."


class TeamViewSet(viewsets.ModelViewSet):
    """Teams (functions) and their people. Leaders create and change them; everyone reads."""

    schema = ApiSchema()
    serializer_class = TeamSerializer
    permission_classes = [TeamPermission]
    lookup_field = "slug"
    lookup_value_regex = SLUG
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields = ["leader__username"]

    def get_queryset(self):
        return Team.objects.visible_to(self.request.user).with_people()

    def perform_update(self, serializer: TeamSerializer) -> None:
        serializer.save()
        # Re-read so the response shows the memberships as saved, not the prefetched ones.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_create(self, serializer: TeamSerializer) -> None:
        serializer.save()
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


class CalendarViewSet(viewsets.ModelViewSet):
    """Business calendars for SLA clocks. Leaders create and change them; everyone reads."""

    schema = ApiSchema()
    serializer_class = CalendarSerializer
    permission_classes = [CalendarPermission]
    lookup_field = "slug"
    lookup_value_regex = SLUG
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return Calendar.objects.with_holidays()


class SeamViewSet(viewsets.ModelViewSet):
    """Seams: work handed from one team to another.

    Leaders register and change any seam; a team owner, seams where their team sends or
    receives the work. Everyone signed in reads them.
    """

    schema = ApiSchema()
    serializer_class = SeamSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields = {
        "status": ["exact"],
        "from_team__slug": ["exact"],
        "to_team__slug": ["exact"],
    }

    def get_queryset(self):
        return Seam.objects.visible_to(self.request.user).with_related()

    def perform_create(self, serializer: SeamSerializer) -> None:
        data = dict(serializer.validated_data)
        owner = data.pop("_owner")
        seam = Seam(**data)
        if not permissions.can_edit_spec(self.request.user, seam):
            raise PermissionDenied(
                "You can register a seam only where your team sends or receives the work."
            )
        serializer.instance = create_seam(seam=seam, owner=owner, by=self.request.user)

    def perform_update(self, serializer: SeamSerializer) -> None:
        seam = serializer.instance
        if not permissions.can_edit_spec(self.request.user, seam):
            raise PermissionDenied("Only leaders and owners of the seam's teams change it.")
        data = dict(serializer.validated_data)
        data.pop("_owner", None)
        for name, value in data.items():
            setattr(seam, name, value)
        if not permissions.can_edit_spec(self.request.user, seam):
            raise PermissionDenied("Keep one of your own teams on the seam, or ask a leader.")
        seam.save()

    @extend_schema(request=None, responses=SeamSerializer)
    @action(detail=True, methods=["post"], url_path="start-pilot")
    def start_pilot(self, request, slug=None) -> Response:
        """Start the 30-day pilot: status `pilot`, review date 30 days from today."""
        seam = self.get_object()
        if not permissions.can_edit_spec(request.user, seam):
            raise PermissionDenied("Only leaders and owners of the seam's teams start a pilot.")
        if seam.status == Seam.Status.PILOT:
            raise ValidationError({"status": "This seam is already in a pilot."})
        seam.start_pilot(timezone.localdate())
        return Response(self.get_serializer(seam).data)


def _etag(spec: HandoffSpec) -> str:
    return f'"{spec.version}"'


def _if_match_version(request, spec: HandoffSpec) -> int:
    """The version the client read, from If-Match; refuses a write without one."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    if header == "*":
        return spec.version
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]
    if str(spec.version) in tags:
        return spec.version
    numbers = [int(tag) for tag in tags if tag.isdigit()]
    return max(numbers) if numbers else -1


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The ETag of the version the change is based on, like "3"; required.',
)


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = (
        "Send If-Match with the ETag of the version you read, so that nobody's changes are "
        "overwritten."
    )
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = 412
    default_code = "precondition_failed"


class SpecViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Handoff specs, one per seam, addressed by the seam's slug.

    Every write is a new version and needs `If-Match` with the ETag of the version it is based
    on; a stale one gets 412 with the current version, and nothing is written.
    """

    schema = ApiSchema()
    serializer_class = SpecSerializer
    lookup_field = "seam__slug"
    lookup_url_kwarg = "slug"
    lookup_value_regex = SLUG
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        return (
            HandoffSpec.objects.filter(seam__in=Seam.objects.visible_to(self.request.user))
            .select_related("seam", "owner", "escalate_to", "updated_by")
            .order_by("seam__name")
        )

    def retrieve(self, request, *args, **kwargs) -> Response:
        spec = self.get_object()
        response = Response(self.get_serializer(spec).data)
        response["ETag"] = _etag(spec)
        return response

    @extend_schema(
        responses={200: SpecSerializer, 412: StaleSpecSerializer, **error_responses(428)},
        parameters=[IF_MATCH],
    )
    def partial_update(self, request, *args, **kwargs) -> Response:
        spec = self.get_object()
        if not permissions.can_edit_spec(request.user, spec.seam):
            raise PermissionDenied(
                "Only leaders and owners of the sending or receiving team edit this spec."
            )
        base_version = _if_match_version(request, spec)
        serializer = self.get_serializer(spec, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        note = changes.pop("note", "").strip()
        if not note:
            raise ValidationError({"note": "Say what changed and why: the note is required."})
        try:
            save_spec(
                spec=spec, changes=changes, base_version=base_version, by=request.user, note=note
            )
        except SpecConflict as conflict:
            return self._stale(conflict)
        return self.retrieve(request, *args, **kwargs)

    def _stale(self, conflict: SpecConflict) -> Response:
        exc = PreconditionFailed(
            f"The spec is at version {conflict.spec.version}, not the version in If-Match. "
            "Read it again, reapply your change, and send the new ETag."
        )
        response = Response(
            error_body(status_code=412, code="precondition_failed", detail=str(exc.detail))
            | {"current": self.get_serializer(conflict.spec).data},
            status=412,
        )
        response["ETag"] = _etag(conflict.spec)
        return response

    @extend_schema(responses=SpecVersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, slug=None) -> Response:
        spec = self.get_object()
        versions = spec.versions.select_related("author", "owner", "escalate_to")
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(SpecVersionSerializer(page, many=True).data)

    @extend_schema(responses=SpecVersionSerializer)
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>\d+)")
    def version(self, request, slug=None, number=None) -> Response:
        spec = self.get_object()
        version = get_object_or_404(spec.versions.select_related("author"), number=int(number))
        return Response(SpecVersionSerializer(version).data)

    @extend_schema(
        request=None,
        responses={200: SpecSerializer, 412: StaleSpecSerializer, **error_responses(428)},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>\d+)/restore")
    def restore(self, request, slug=None, number=None) -> Response:
        """Make an old version current again, as a new version. Needs If-Match."""
        spec = self.get_object()
        if not permissions.can_edit_spec(request.user, spec.seam):
            raise PermissionDenied(
                "Only leaders and owners of the sending or receiving team edit this spec."
            )
        get_object_or_404(spec.versions, number=int(number))
        base_version = _if_match_version(request, spec)
        try:
            restore_spec_version(
                spec=spec, number=int(number), base_version=base_version, by=request.user
            )
        except SpecConflict as conflict:
            return self._stale(conflict)
        return self.retrieve(request, slug=slug)


MAX_BULK_ROWS = 10_000


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _row_source(row: dict) -> tuple[str, dict]:
    """A bulk row's source ("api" when not given), or its problem, as the row's errors."""
    source = row.get("source")
    if source is None or source == "":
        return "api", {}
    if not isinstance(source, str):
        return "", {"source": "Must be text: the name of the tool the handoff comes from."}
    source = source.strip()
    limit = MAX_LENGTHS["source"]
    if not source:
        return "", {"source": "It is blank; leave it out for “api”."}
    if len(source) > limit:
        return "", {"source": f"Longer than {limit} characters."}
    if "\x00" in source:
        return "", {"source": "It contains a NUL character."}
    return source, {}


class HandoffViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Handoffs. POST one object or a list of up to 10,000 to upsert on (source, external_id).

    Valid rows are written and bad ones reported with their index and field: a bad row never
    discards the good ones silently. The answer says how many were created and updated.
    Leaders and ops post for any seam; a team owner for the seams of their own teams.
    """

    schema = ApiSchema()
    serializer_class = HandoffSerializer
    filterset_fields = {"seam__slug": ["exact"], "source": ["exact"], "approval_type": ["iexact"]}

    def get_queryset(self):
        return Handoff.objects.select_related("seam").prefetch_related("returns")

    @extend_schema(request=HandoffRowSerializer(many=True), responses={200: IngestResultSerializer})
    def create(self, request, *args, **kwargs) -> Response:
        if not permissions.can_log_somewhere(request.user):
            raise PermissionDenied("Leaders, ops and the owners of a seam's teams record handoffs.")
        by_source, errors = _rows_by_source(_bulk_rows(request.data))
        seams = load_seams()
        # Leaders and ops record anywhere; a team owner at the seams of their own teams.
        allowed = None
        if not permissions.can_import_handoffs(request.user):
            allowed = {
                s.pk for s in seams.values() if permissions.can_log(request.user, s.team_ids)
            }
        created = updated = 0
        for source, numbered in by_source.items():
            result = ingest(
                numbered, source=source, partial=True, seams=seams, allowed_seam_ids=allowed
            )
            created, updated = created + result.created, updated + result.updated
            errors += [
                {"index": e.row, "external_id": e.external_id, "errors": e.errors}
                for e in result.errors
            ]
        errors.sort(key=lambda e: e["index"])
        if errors and not (created or updated):
            # Nothing written: an error in the API's one shape, still with every row's errors.
            body = error_body(
                status_code=400,
                code="invalid",
                detail="No handoff was written: every row has errors.",
                errors=errors,
            )
            return Response(body | {"created": 0, "updated": 0}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"created": created, "updated": updated, "errors": errors})

    def _handoff_to_log(self, request) -> Handoff:
        handoff = self.get_object()
        if not permissions.can_log(request.user, handoff.seam.team_ids):
            raise PermissionDenied(
                "Leaders and ops log handoffs anywhere; owners on their teams' seams."
            )
        return handoff

    def _moved(self, handoff: Handoff, move) -> Response:
        try:
            move()
        except HandoffInputRefused as refused:
            raise ValidationError({"detail": str(refused)}) from refused
        except HandoffRefused as refused:
            raise HandoffConflict(str(refused)) from refused
        return Response(self.get_serializer(self.get_queryset().get(pk=handoff.pk)).data)

    @extend_schema(
        request=HandoffReturnSerializer,
        responses={200: HandoffSerializer, **error_responses(409)},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_sender(self, request, pk=None) -> Response:
        """Send it back to its sender, with why and the missing ready item. Before its start
        and deadline it then waits on the sender: its deadline is unknown until resubmitted."""
        handoff = self._handoff_to_log(request)
        body = HandoffReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        _require_past_times_right(request.user, data.get("at"))
        return self._moved(
            handoff,
            lambda: return_handoff(
                handoff=handoff,
                reason=data["reason"],
                missing_item=data.get("missing_item", ""),
                other_item=data.get("other_item", ""),
                by=request.user,
                at=data.get("at"),
            ),
        )

    @extend_schema(
        request=HandoffResubmitSerializer,
        responses={200: HandoffSerializer, **error_responses(409)},
    )
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None) -> Response:
        """The sender sends it again: the pause closes and the receiver's clock runs again."""
        handoff = self._handoff_to_log(request)
        body = HandoffResubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        at = body.validated_data.get("at")
        _require_past_times_right(request.user, at)
        return self._moved(
            handoff, lambda: resubmit_handoff(handoff=handoff, by=request.user, at=at)
        )


class HandoffConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"


PAST_TIMES_ONLY = (
    "Only leaders and ops give past times (history from other tools); leave the time out "
    "to record it now."
)


def _require_past_times_right(user, at) -> None:
    past = at is not None and at < timezone.now() - FUTURE_SLACK
    if past and not permissions.can_import_handoffs(user):
        raise PermissionDenied(PAST_TIMES_ONLY)


def _bulk_rows(data) -> list[dict]:
    """The posted handoffs as a list of objects (one object is a list of one), or a 400."""
    rows = data if isinstance(data, list) else [data]
    if not rows or not all(isinstance(row, dict) for row in rows):
        raise ValidationError({"rows": "Send one handoff object or a list of them."})
    if len(rows) > MAX_BULK_ROWS:
        raise ValidationError(
            {
                "rows": f"At most {MAX_BULK_ROWS:,} handoffs per request; "
                f"this one has {len(rows):,}. Split it."
            }
        )
    return rows


def _rows_by_source(rows: list[dict]) -> tuple[dict[str, list], list[dict]]:
    """The rows, numbered, grouped by their source; and the errors of rows whose source is bad."""
    by_source: dict[str, list] = {}
    errors = []
    for index, row in enumerate(rows):
        source, problem = _row_source(row)
        if problem:
            errors.append(
                {"index": index, "external_id": _text(row.get("external_id")), "errors": problem}
            )
        else:
            by_source.setdefault(source, []).append((index, row))
    return by_source, errors
