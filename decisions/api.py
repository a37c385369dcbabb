from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response

from common.schema import ApiSchema, error_responses
from decisions.history import TimeRefused
from decisions.models import (
    Constraint,
    Decision,
    DecisionEvent,
    Dependency,
    DependencyMove,
    Escalation,
)
from decisions.serializers import (
    ConstraintSerializer,
    DecideSerializer,
    DecisionSerializer,
    DependencySerializer,
    EscalationSerializer,
    MoveSerializer,
    ReopenSerializer,
    WithdrawSerializer,
)
from decisions.services import (
    DecisionRefused,
    EscalationRefused,
    decide,
    log_decision,
    move_dependency,
    reopen,
    resolve_escalation,
    withdraw,
)
from seams import permissions


class Refused(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"


def require_log(user, *places) -> None:
    if not permissions.can_log_at(user, *places):
        raise PermissionDenied(permissions.NOT_YOUR_PLACE)


class DecisionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The decision log. POST logs one; `decide`, `reopen` and `withdraw` move it on."""

    schema = ApiSchema()
    serializer_class = DecisionSerializer
    filterset_fields = {
        "status": ["exact"],
        "seam__slug": ["exact"],
        "decider__username": ["exact"],
        "decision_type": ["iexact"],
    }

    def get_queryset(self):
        return (
            Decision.objects.with_related()
            .prefetch_related(
                Prefetch("events", queryset=DecisionEvent.objects.select_related("by"))
            )
            .overdue_first(timezone.now())
        )

    def perform_create(self, serializer: DecisionSerializer) -> None:
        # Who may log it where was checked with the body (DecisionSerializer.validate).
        data = serializer.validated_data
        seam, contract = data.get("seam"), data.get("contract")
        serializer.instance = log_decision(
            question=data["question"],
            decision_type=data["decision_type"],
            seam=seam,
            contract=contract,
            requested_by=self.request.user,
            decider=data.get("decider"),
            requested_at=data.get("requested_at"),
        )

    def _act(self, request, check, act) -> Response:
        decision = self.get_object()
        if not check(decision):
            raise PermissionDenied("Your role doesn't let you do that to this decision.")
        try:
            act(decision)
        except DecisionRefused as refused:
            raise Refused(str(refused)) from refused
        return Response(self.get_serializer(self.get_queryset().get(pk=decision.pk)).data)

    @extend_schema(
        request=DecideSerializer, responses={200: DecisionSerializer, **error_responses(409)}
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None) -> Response:
        body = DecideSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return self._act(
            request,
            lambda d: permissions.can_decide(request.user, d.decider, d.place),
            lambda d: decide(
                decision=d,
                by=request.user,
                outcome=data["outcome"],
                rationale=data.get("rationale", ""),
                at=data.get("decided_at"),
            ),
        )

    @extend_schema(
        request=ReopenSerializer, responses={200: DecisionSerializer, **error_responses(409)}
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None) -> Response:
        body = ReopenSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return self._act(
            request,
            lambda d: permissions.can_log_at(request.user, d.place),
            lambda d: reopen(
                decision=d, by=request.user, reason=data["reason"], at=data.get("reopened_at")
            ),
        )

    @extend_schema(
        request=WithdrawSerializer, responses={200: DecisionSerializer, **error_responses(409)}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None) -> Response:
        body = WithdrawSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return self._act(
            request,
            lambda d: (
                request.user == d.requested_by or permissions.can_import_handoffs(request.user)
            ),
            lambda d: withdraw(
                decision=d, by=request.user, reason=data["reason"], at=data.get("withdrawn_at")
            ),
        )


class EscalationViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Escalations tagged to seams. Owners of the seam's teams, ops and leaders log and resolve."""

    schema = ApiSchema()
    serializer_class = EscalationSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = {"seam__slug": ["exact"], "cause": ["exact"], "severity": ["exact"]}

    def get_queryset(self):
        return Escalation.objects.select_related("seam", "raised_by")

    # Who may log or change one where is checked with the body (EscalationSerializer.validate).
    def perform_create(self, serializer) -> None:
        resolving = _resolution_of(serializer)
        escalation = serializer.save(raised_by=self.request.user)
        if resolving is not None:
            _resolve(escalation, resolving)

    def perform_update(self, serializer) -> None:
        resolving = _resolution_of(serializer)
        if resolving is not None and serializer.instance.resolved_at is not None:
            _resolve(serializer.instance, resolving)  # refused: it stays resolved
        escalation = serializer.save()
        if resolving is not None:
            _resolve(escalation, resolving)


RESOLUTION = ("resolved_at", "resolution", "root_cause")


def _resolution_of(serializer) -> dict | None:
    """The resolution a create or PATCH carries, taken out of what the serializer saves: it
    goes through `resolve_escalation`, as the page's does."""
    data = serializer.validated_data
    if not any(name in data for name in RESOLUTION):
        return None
    return {name: data.pop(name, None) for name in RESOLUTION}


def _resolve(escalation: Escalation, resolving: dict) -> None:
    try:
        resolve_escalation(
            escalation=escalation,
            resolution=resolving["resolution"] or "",
            root_cause=resolving["root_cause"] or "",
            at=resolving["resolved_at"],
        )
    except EscalationRefused as refused:
        raise Refused(str(refused)) from refused
    except DjangoValidationError as invalid:
        raise ValidationError(invalid.message_dict) from invalid


class ConstraintViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Constraints to remove, at a seam or a team."""

    schema = ApiSchema()
    serializer_class = ConstraintSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return Constraint.objects.select_related("owner", "seam", "team")

    # Who may log or change one where, before and after the change, is checked with the body
    # (ConstraintSerializer.validate).


class DependencyViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Dependencies between teams. Status changes only through `move`, which is recorded."""

    schema = ApiSchema()
    serializer_class = DependencySerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = {
        "status": ["exact"],
        "seam__slug": ["exact"],
        "provider__slug": ["exact"],
        "consumer__slug": ["exact"],
    }

    def get_queryset(self):
        return Dependency.objects.with_related().prefetch_related(
            Prefetch("moves", queryset=DependencyMove.objects.select_related("by"))
        )

    # Who may log or change one where, before and after the change, is checked with the body
    # (DependencySerializer.validate).

    @extend_schema(
        request=MoveSerializer, responses={200: DependencySerializer, **error_responses(409)}
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None) -> Response:
        dependency = self.get_object()
        require_log(request.user, *dependency.places)
        body = MoveSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        try:
            move_dependency(
                dependency=dependency,
                to_status=body.validated_data["status"],
                by=request.user,
                delivered_at=body.validated_data.get("delivered_at"),
            )
        except TimeRefused as refused:
            raise Refused(str(refused)) from refused
        return Response(self.get_serializer(self.get_queryset().get(pk=dependency.pk)).data)
