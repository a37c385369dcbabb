"""The reviews API: monthly reviews with their root causes and corrective actions, and the
actions on their own. Every write goes through metrics.reviews, as the review pages' do: only
leaders hold reviews (start, record root causes, add actions, close); everyone signed in
reads; an action's status is updated by its owner or a leader (reviews.can_update_action)."""

import django_filters
from django import forms
from django.db.models import Prefetch, Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions as drf_permissions
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from common.schema import ApiSchema, error_responses
from metrics import engine, reviews
from metrics.models import CorrectiveAction, Review, RootCause
from metrics.review_serializers import (
    ActionInputSerializer,
    ActionStatusSerializer,
    CorrectiveActionSerializer,
    ReviewCloseSerializer,
    ReviewSerializer,
    ReviewStartSerializer,
    RootCauseInputSerializer,
    RootCauseSerializer,
)
from metrics.serializers import MONTH_PATTERN
from seams import permissions

BIGGEST_ID = 2**63 - 1


class ReviewClosed(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"
    default_detail = "This review is closed."


def refused(exc: reviews.ReviewRefused, review: Review | None = None) -> APIException:
    """A service's refusal in the error contract: 403 for who asks, 409 when the review was
    closed meanwhile, else 400 with its reason."""
    if isinstance(exc, reviews.ReviewForbidden):
        return PermissionDenied(str(exc))
    if (
        review is not None
        and not Review.objects.filter(pk=review.pk, status=Review.Status.OPEN).exists()
    ):
        return ReviewClosed()
    return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [str(exc)]})


class HoldReviews(drf_permissions.BasePermission):
    """Everyone signed in reads reviews; only leaders hold them (every write)."""

    message = "Only leaders hold reviews."

    def has_permission(self, request, view) -> bool:
        if request.method in drf_permissions.SAFE_METHODS:
            return permissions.can_read(request.user)
        return reviews.can_hold_reviews(request.user)


# --- Filters -------------------------------------------------------------------------------


class MonthFormField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        try:
            return engine.parse_month(text, ahead_ok=True)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


@extend_schema_field(
    {
        "type": "string",
        "pattern": MONTH_PATTERN,
        "example": "2026-11",
        "description": "The month reviewed, YYYY-MM.",
    }
)
class MonthFilter(django_filters.CharFilter):
    field_class = MonthFormField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": BIGGEST_ID})
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, min_value=1, max_value=BIGGEST_ID, **kwargs)


class ReviewFilter(django_filters.FilterSet):
    month = MonthFilter()
    contract = django_filters.CharFilter(
        field_name="contract__slug", help_text="A contract's slug: that contract's reviews."
    )
    status = django_filters.ChoiceFilter(choices=Review.Status.choices)

    class Meta:
        model = Review
        fields = ["month", "contract", "status"]


class ActionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CorrectiveAction.Status.choices)
    owner = django_filters.CharFilter(field_name="owner__username", help_text="A username.")
    seam = django_filters.CharFilter(field_name="seam__slug", help_text="A seam's slug.")
    review = IdFilter(field_name="review_id", help_text="The id of the review that agreed it.")
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="Open and past its due date (or not)."
    )

    class Meta:
        model = CorrectiveAction
        fields = ["status", "owner", "seam", "review", "overdue"]

    def filter_overdue(self, queryset, name: str, value: bool):
        late = Q(status=CorrectiveAction.Status.OPEN, due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


# --- Reviews -------------------------------------------------------------------------------


def with_today(context: dict) -> dict:
    return context | {"today": timezone.localdate()}


class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Monthly reviews, newest month first, each with its root causes and corrective actions
    (their verdicts as the review pages compute them). Leaders start one (POST: the one
    started already for the month and scope, if there is one), record root causes, add
    actions and close it."""

    schema = ApiSchema()
    serializer_class = ReviewSerializer
    permission_classes = [HoldReviews]
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = ReviewFilter

    def get_queryset(self):
        return Review.objects.select_related("contract", "started_by").prefetch_related(
            Prefetch("root_causes", RootCause.objects.select_related("seam", "recorded_by")),
            Prefetch(
                "actions", CorrectiveAction.objects.select_related("seam", "owner", "created_by")
            ),
        )

    def get_serializer_context(self) -> dict:
        return with_today(super().get_serializer_context())

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        reviews.judge([a for review in page or [] for a in review.actions.all()])
        return page

    def get_object(self) -> Review:
        review = super().get_object()
        reviews.judge(list(review.actions.all()))
        return review

    def _answer(self, review: Review, code: int = status.HTTP_200_OK) -> Response:
        """The review as it is now, read again with everything it holds."""
        fresh = self.get_queryset().get(pk=review.pk)
        reviews.judge(list(fresh.actions.all()))
        return Response(self.get_serializer(fresh).data, status=code)

    def _open_review(self) -> Review:
        review = super().get_object()
        if not review.is_open:
            raise ReviewClosed()
        return review

    @extend_schema(
        request=ReviewStartSerializer,
        responses={201: ReviewSerializer, 200: ReviewSerializer},
        description="Start the month's review of a scope. One started already for that "
        "month and scope (open or closed) is answered as it is (200), so a repeated request "
        "starts nothing twice; a new one is 201.",
    )
    def create(self, request, *args, **kwargs) -> Response:
        body = ReviewStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        month, contract = body.validated_data["month"], body.validated_data["contract"]
        existed = Review.objects.filter(month=month, contract=contract).exists()
        try:
            review = reviews.start_review(month=month, contract=contract, by=request.user)
        except reviews.ReviewRefused as exc:
            raise refused(exc) from exc
        return self._answer(review, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        request=RootCauseInputSerializer,
        responses={200: RootCauseSerializer, **error_responses(409)},
        description="Record why a seam was red or amber: one per seam, so recording the same "
        "seam again replaces its text.",
    )
    @action(detail=True, methods=["post"], url_path="root-causes")
    def root_causes(self, request, pk=None) -> Response:
        review = self._open_review()
        body = RootCauseInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            cause = reviews.record_root_cause(review=review, by=request.user, **body.validated_data)
        except reviews.ReviewRefused as exc:
            raise refused(exc, review) from exc
        return Response(RootCauseSerializer(cause).data)

    @extend_schema(
        request=ActionInputSerializer,
        responses={
            201: CorrectiveActionSerializer,
            200: CorrectiveActionSerializer,
            **error_responses(409),
        },
        description="Agree a corrective action. It keeps its metric's value in the review's "
        "month. The same action again (same seam, title, owner, due date and metric) answers "
        "the one already agreed (200) instead of adding a second.",
    )
    @action(detail=True, methods=["post"], url_path="actions", url_name="actions")
    def add_action(self, request, pk=None) -> Response:
        review = self._open_review()
        body = ActionInputSerializer(data=request.data, context={"review": review})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        found = review.actions.filter(**data).first()
        code = status.HTTP_200_OK if found else status.HTTP_201_CREATED
        if found is None:
            try:
                found = reviews.add_action(review=review, by=request.user, **data)
            except reviews.ReviewRefused as exc:
                raise refused(exc, review) from exc
        return Response(action_data(found, self.get_serializer_context()), status=code)

    @extend_schema(
        request=ReviewCloseSerializer,
        responses={200: ReviewSerializer, **error_responses(409)},
        description="Close the review; its notes say what the meeting agreed. A closed review "
        "takes no more root causes or actions (409).",
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None) -> Response:
        review = self._open_review()
        body = ReviewCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            reviews.close_review(review=review, by=request.user, **body.validated_data)
        except reviews.ReviewRefused as exc:
            raise refused(exc, review) from exc
        return self._answer(review)


# --- Corrective actions --------------------------------------------------------------------


def actions_with_related():
    return CorrectiveAction.objects.select_related("review", "seam", "owner", "created_by")


def action_data(action: CorrectiveAction, context: dict) -> dict:
    """One action with its verdict, read again as the list shows it."""
    fresh = actions_with_related().get(pk=action.pk)
    reviews.judge([fresh])
    return CorrectiveActionSerializer(fresh, context=context).data


class ActionViewSet(viewsets.ReadOnlyModelViewSet):
    """Corrective actions from every review, soonest due first. PATCH changes only the
    status: its owner (while they may act at its seam) or a leader."""

    schema = ApiSchema()
    serializer_class = CorrectiveActionSerializer
    http_method_names = ["get", "patch", "head", "options"]
    filterset_class = ActionFilter

    def get_queryset(self):
        return actions_with_related().order_by("due_on", "pk")

    def get_serializer_context(self) -> dict:
        return with_today(super().get_serializer_context())

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        reviews.judge(list(page or []))
        return page

    def get_object(self) -> CorrectiveAction:
        found = super().get_object()
        reviews.judge([found])
        return found

    @extend_schema(
        # Written out: a serializer would be documented with every field optional, as PATCH
        # bodies usually are, and this one takes exactly one.
        request={
            "application/json": {
                "type": "object",
                "properties": {
                    "status": {"type": "string", "enum": CorrectiveAction.Status.values},
                },
                "required": ["status"],
            }
        },
        responses={200: CorrectiveActionSerializer},
        description="Mark the action done (today), dropped, or open again.",
    )
    def partial_update(self, request, *args, **kwargs) -> Response:
        found = self.get_object()
        if not reviews.can_update_action(request.user, found):
            raise PermissionDenied("Only its owner or a leader updates an action.")
        body = ActionStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            reviews.update_action(action=found, by=request.user, **body.validated_data)
        except reviews.ReviewRefused as exc:
            raise refused(exc) from exc
        return Response(action_data(found, self.get_serializer_context()))
