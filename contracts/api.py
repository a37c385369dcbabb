from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response

from common.schema import SLUG, ApiSchema, error_responses
from contracts.models import (
    Assumption,
    Commitment,
    Contract,
    ContractRevision,
    DecisionRight,
    Initiative,
    MetricTarget,
    Signature,
)
from contracts.serializers import (
    AssumptionSerializer,
    CommitmentSerializer,
    ContractSerializer,
    DecisionRightSerializer,
    InitiativeSerializer,
    PublishSerializer,
    RevisionSerializer,
    TargetSerializer,
    TransitionSerializer,
)
from contracts.services import (
    SigningRefused,
    TransitionRefused,
    cover_seam,
    publish_revision,
    sign_revision,
    transition_contract,
    uncover_seam,
)
from seams import permissions
from seams.api import LeadersWrite


class Refused(APIException):
    """A rule of the contract's life cycle said no; the detail says which and why."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"


class ContractPermission(LeadersWrite):
    message = "Only leaders create, change and sign contracts."
    may_write = staticmethod(permissions.can_manage_contracts)


class ContractViewSet(viewsets.ModelViewSet):
    """Team Execution Contracts with their seams, targets, decision rights and revisions.

    Everyone signed in reads; leaders write. Status moves only through `transition`, and a
    revision is signed through `revisions/<n>/sign`.
    """

    schema = ApiSchema()
    serializer_class = ContractSerializer
    permission_classes = [ContractPermission]
    lookup_field = "slug"
    lookup_value_regex = SLUG
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    filterset_fields = ["status"]

    def get_queryset(self):
        revisions = ContractRevision.objects.select_related("published_by").prefetch_related(
            "binding_leaders",
            Prefetch("signatures", queryset=Signature.objects.select_related("leader")),
        )
        return Contract.objects.select_related("leader").prefetch_related(
            "seams",
            Prefetch("targets", queryset=MetricTarget.objects.select_related("seam")),
            Prefetch(
                "decision_rights",
                queryset=DecisionRight.objects.select_related("seam", "decider").prefetch_related(
                    "consulted_people", "informed_people", "consulted_teams", "informed_teams"
                ),
            ),
            Prefetch("revisions", queryset=revisions),
        )

    def _reread(self, contract: Contract) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=contract.pk)).data)

    @transaction.atomic
    def perform_create(self, serializer: ContractSerializer) -> None:
        seams = serializer.validated_data.pop("seams", [])
        contract = serializer.save()
        for seam in seams:
            cover_seam(contract=contract, seam=seam)

    @transaction.atomic
    def perform_update(self, serializer: ContractSerializer) -> None:
        seams = serializer.validated_data.pop("seams", None)
        contract = serializer.save()
        if seams is None:
            return
        current = set(contract.seams.all())
        for seam in current - set(seams):
            uncover_seam(contract=contract, seam=seam)
        for seam in set(seams) - current:
            cover_seam(contract=contract, seam=seam)

    def create(self, request, *args, **kwargs) -> Response:
        response = super().create(request, *args, **kwargs)
        contract = Contract.objects.get(slug=response.data["slug"])
        return Response(self._reread(contract).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs) -> Response:
        super().update(request, *args, **kwargs)
        return self._reread(self.get_object())

    @extend_schema(responses={204: None, **error_responses(409)})
    def destroy(self, request, *args, **kwargs) -> Response:
        contract = self.get_object()
        if contract.status != Contract.Status.DRAFT or contract.revisions.exists():
            raise Refused("Only an unpublished draft can be deleted; retire a contract instead.")
        return super().destroy(request, *args, **kwargs)

    @extend_schema(
        request=TransitionSerializer, responses={200: ContractSerializer, **error_responses(409)}
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, slug=None) -> Response:
        """Move the contract to another status; refused (409) with the reason when not allowed."""
        contract = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            transition_contract(
                contract=contract, to_status=body.validated_data["status"], by=request.user
            )
        except TransitionRefused as refused:
            raise Refused(str(refused)) from refused
        return self._reread(contract)

    @extend_schema(methods=["GET"], responses=TargetSerializer(many=True))
    @extend_schema(methods=["POST"], request=TargetSerializer, responses={201: TargetSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def targets(self, request, slug=None) -> Response:
        contract = self.get_object()
        if request.method == "GET":
            return Response(
                TargetSerializer(contract.targets.select_related("seam"), many=True).data
            )
        serializer = TargetSerializer(data=request.data, context={"contract": contract})
        serializer.is_valid(raise_exception=True)
        target = serializer.save(contract=contract)
        return Response(TargetSerializer(target).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["PATCH"], request=TargetSerializer, responses=TargetSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses=None)
    @action(detail=True, methods=["patch", "delete"], url_path=r"targets/(?P<pk>\d+)")
    def target(self, request, slug=None, pk=None) -> Response:
        contract = self.get_object()
        target = get_object_or_404(MetricTarget, contract=contract, pk=pk)
        if request.method == "DELETE":
            target.delete()
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = TargetSerializer(
            target, data=request.data, partial=True, context={"contract": contract}
        )
        serializer.is_valid(raise_exception=True)
        return Response(TargetSerializer(serializer.save()).data)

    @extend_schema(methods=["GET"], responses=DecisionRightSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=DecisionRightSerializer, responses={201: DecisionRightSerializer}
    )
    @action(detail=True, methods=["get", "post"], url_path="decision-rights", pagination_class=None)
    def decision_rights(self, request, slug=None) -> Response:
        contract = self.get_object()
        if request.method == "GET":
            return Response(DecisionRightSerializer(contract.decision_rights.all(), many=True).data)
        serializer = DecisionRightSerializer(data=request.data, context={"contract": contract})
        serializer.is_valid(raise_exception=True)
        right = serializer.save(contract=contract)
        return Response(DecisionRightSerializer(right).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"], request=DecisionRightSerializer, responses=DecisionRightSerializer
    )
    @extend_schema(methods=["DELETE"], request=None, responses=None)
    @action(detail=True, methods=["patch", "delete"], url_path=r"decision-rights/(?P<pk>\d+)")
    def decision_right(self, request, slug=None, pk=None) -> Response:
        contract = self.get_object()
        right = get_object_or_404(DecisionRight, contract=contract, pk=pk)
        if request.method == "DELETE":
            right.delete()
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = DecisionRightSerializer(
            right, data=request.data, partial=True, context={"contract": contract}
        )
        serializer.is_valid(raise_exception=True)
        return Response(DecisionRightSerializer(serializer.save()).data)

    @extend_schema(methods=["GET"], responses=RevisionSerializer(many=True))
    @extend_schema(methods=["POST"], request=PublishSerializer, responses={201: RevisionSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def revisions(self, request, slug=None) -> Response:
        """The revisions, newest first; POST publishes the contract as it is now."""
        contract = self.get_object()
        if request.method == "GET":
            return Response(RevisionSerializer(contract.revisions.all(), many=True).data)
        body = PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        revision = publish_revision(
            contract=contract, changelog=body.validated_data["changelog"], by=request.user
        )
        return Response(RevisionSerializer(revision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RevisionSerializer, **error_responses(409)})
    @action(detail=True, methods=["post"], url_path=r"revisions/(?P<number>\d+)/sign")
    def sign(self, request, slug=None, number=None) -> Response:
        """Sign a revision as the signed-in leader; refused (409) with the reason otherwise."""
        contract = self.get_object()
        revision = get_object_or_404(contract.revisions, number=int(number))
        try:
            sign_revision(revision=revision, leader=request.user)
        except SigningRefused as refused:
            raise Refused(str(refused)) from refused
        return Response(RevisionSerializer(ContractRevision.objects.get(pk=revision.pk)).data)


# --- Initiatives ------------------------------------------------------------------------------


class InitiativeViewSet(viewsets.ModelViewSet):
    """Initiatives with each team's commitment and the assumptions connecting them.

    Leaders create initiatives; leaders and a team's owners write its commitment; leaders,
    ops and owners of the initiative's teams record assumptions. Assumptions come back with
    the unowned, broken and overdue ones first.
    """

    schema = ApiSchema()
    serializer_class = InitiativeSerializer
    permission_classes = [ContractPermission]
    lookup_field = "slug"
    lookup_value_regex = SLUG
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return Initiative.objects.select_related("leader").prefetch_related(
            Prefetch("commitments", queryset=Commitment.objects.select_related("team"))
        )

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_permissions(self):
        if self.action in ("commitments", "commitment", "assumptions", "assumption"):
            # Signed in, then the team-level rules these check themselves, below. (Without a
            # permission class, an anonymous caller would get 403 instead of 401.)
            return [drf_permissions.IsAuthenticated()]
        return super().get_permissions()

    def _initiative(self) -> Initiative:
        return get_object_or_404(Initiative, slug=self.kwargs["slug"])

    def _check_assumption_rights(self, initiative: Initiative) -> None:
        team_ids = initiative.commitments.values_list("team_id", flat=True)
        if not permissions.can_log(self.request.user, team_ids):
            raise PermissionDenied(
                "Leaders, ops and owners of the initiative's teams record assumptions."
            )

    def _check_commitment_rights(self, team_id: int) -> None:
        if not (
            permissions.is_leader(self.request.user)
            or permissions.owns_team(self.request.user, team_id)
        ):
            raise PermissionDenied("Only leaders and the team's owners write its commitment.")

    @extend_schema(
        methods=["POST"], request=CommitmentSerializer, responses={201: CommitmentSerializer}
    )
    @extend_schema(methods=["GET"], responses=CommitmentSerializer(many=True))
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def commitments(self, request, slug=None) -> Response:
        initiative = self._initiative()
        if request.method == "GET":
            return Response(
                CommitmentSerializer(initiative.commitments.select_related("team"), many=True).data
            )
        serializer = CommitmentSerializer(data=request.data, context={"initiative": initiative})
        serializer.is_valid(raise_exception=True)
        self._check_commitment_rights(serializer.validated_data["team"].pk)
        commitment = serializer.save(initiative=initiative)
        return Response(CommitmentSerializer(commitment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CommitmentSerializer, responses=CommitmentSerializer)
    @action(detail=True, methods=["patch"], url_path=r"commitments/(?P<pk>\d+)")
    def commitment(self, request, slug=None, pk=None) -> Response:
        initiative = self._initiative()
        commitment = get_object_or_404(Commitment, initiative=initiative, pk=pk)
        self._check_commitment_rights(commitment.team_id)
        serializer = CommitmentSerializer(
            commitment, data=request.data, partial=True, context={"initiative": initiative}
        )
        serializer.is_valid(raise_exception=True)
        return Response(CommitmentSerializer(serializer.save()).data)

    @extend_schema(
        methods=["POST"], request=AssumptionSerializer, responses={201: AssumptionSerializer}
    )
    @extend_schema(methods=["GET"], responses=AssumptionSerializer(many=True))
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def assumptions(self, request, slug=None) -> Response:
        initiative = self._initiative()
        if request.method == "GET":
            ordered = initiative.assumptions.needing_attention_first(timezone.localdate())
            return Response(AssumptionSerializer(ordered.select_related("owner"), many=True).data)
        self._check_assumption_rights(initiative)
        serializer = AssumptionSerializer(data=request.data, context={"initiative": initiative})
        serializer.is_valid(raise_exception=True)
        assumption = serializer.save(initiative=initiative)
        return Response(AssumptionSerializer(assumption).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssumptionSerializer, responses=AssumptionSerializer)
    @action(detail=True, methods=["patch"], url_path=r"assumptions/(?P<pk>\d+)")
    def assumption(self, request, slug=None, pk=None) -> Response:
        initiative = self._initiative()
        assumption = get_object_or_404(Assumption, initiative=initiative, pk=pk)
        self._check_assumption_rights(initiative)
        serializer = AssumptionSerializer(
            assumption, data=request.data, partial=True, context={"initiative": initiative}
        )
        serializer.is_valid(raise_exception=True)
        return Response(AssumptionSerializer(serializer.save()).data)
