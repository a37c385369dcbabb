from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response

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
    ReasonSerializer,
)
from decisions.services import (
    DecisionRefused,
    decide,
    log_decision,
    move_dependency,
    reopen,
    withdraw,
)
from seams import permissions
from seams.api import ApiSchema, error_responses


class Refused(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"


def require_log(user, team_ids) -> None:
    if not permissions.can_log(user, team_ids):
        raise PermissionDenied(
            "Leaders and ops log anywhere; team owners log for their own teams' seams."
        )


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
        data = serializer.validated_data
        seam, contract = data.get("seam"), data.get("contract")
        seams = [seam] if seam else list(contract.seams.all())
        require_log(self.request.user, permissions.teams_of(*seams))
        serializer.instance = log_decision(
            question=data["question"],
            decision_type=data["decision_type"],
            seam=seam,
            contract=contract,
            requested_by=self.request.user,
            decider=data.get("decider"),
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
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return self._act(
            request,
            lambda d: request.user == d.decider or permissions.is_leader(request.user),
            lambda d: decide(
                decision=d,
                by=request.user,
                outcome=data["outcome"],
                rationale=data.get("rationale", ""),
                at=data.get("decided_at"),
            ),
        )

    @extend_schema(
        request=ReasonSerializer, responses={200: DecisionSerializer, **error_responses(409)}
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None) -> Response:
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._act(
            request,
            lambda d: permissions.can_log(request.user, permissions.teams_of(d.seam)),
            lambda d: reopen(decision=d, by=request.user, reason=body.validated_data["reason"]),
        )

    @extend_schema(
        request=ReasonSerializer, responses={200: DecisionSerializer, **error_responses(409)}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None) -> Response:
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._act(
            request,
            lambda d: (
                request.user == d.requested_by or permissions.can_import_handoffs(request.user)
            ),
            lambda d: withdraw(decision=d, by=request.user, reason=body.validated_data["reason"]),
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

    def perform_create(self, serializer) -> None:
        require_log(self.request.user, permissions.teams_of(serializer.validated_data["seam"]))
        serializer.save(raised_by=self.request.user)

    def perform_update(self, serializer) -> None:
        require_log(self.request.user, permissions.teams_of(serializer.instance.seam))
        seam = serializer.validated_data.get("seam")
        if seam:
            require_log(self.request.user, permissions.teams_of(seam))
        serializer.save()


class ConstraintViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Constraints to remove, at a seam or a team."""

    schema = ApiSchema()
    serializer_class = ConstraintSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return Constraint.objects.select_related("owner", "seam", "team")

    def _check(self, seam, team) -> None:
        require_log(self.request.user, permissions.teams_of(seam, team))

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        self._check(data.get("seam"), data.get("team"))
        serializer.save()

    def perform_update(self, serializer) -> None:
        constraint, data = serializer.instance, serializer.validated_data
        self._check(constraint.seam, constraint.team)
        # And where the change puts it: nobody moves a constraint where they couldn't log it.
        self._check(data.get("seam", constraint.seam), data.get("team", constraint.team))
        serializer.save()


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

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        require_log(self.request.user, permissions.teams_of(data["provider"], data["consumer"]))
        serializer.save()

    def perform_update(self, serializer) -> None:
        dependency, data = serializer.instance, serializer.validated_data
        user = self.request.user
        require_log(user, permissions.teams_of(dependency.provider, dependency.consumer))
        # And the teams the change names: nobody moves a dependency between teams they don't
        # log for.
        provider = data.get("provider", dependency.provider)
        require_log(user, permissions.teams_of(provider, data.get("consumer", dependency.consumer)))
        serializer.save()

    @extend_schema(request=MoveSerializer, responses=DependencySerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None) -> Response:
        dependency = self.get_object()
        require_log(request.user, permissions.teams_of(dependency.provider, dependency.consumer))
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        move_dependency(
            dependency=dependency, to_status=body.validated_data["status"], by=request.user
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=dependency.pk)).data)
