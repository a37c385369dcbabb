from rest_framework import permissions as drf_permissions
from rest_framework import viewsets

from seams import permissions
from seams.models import Team
from seams.serializers import TeamSerializer


class TeamPermission(drf_permissions.BasePermission):
    message = "Only leaders change teams and who belongs to them."

    def has_permission(self, request, view) -> bool:
        if request.method in drf_permissions.SAFE_METHODS:
            return permissions.can_read(request.user)
        return permissions.can_manage_teams(request.user)


class TeamViewSet(viewsets.ModelViewSet):
    """Teams (functions) and their people. Leaders create and change them; everyone reads."""

    serializer_class = TeamSerializer
    permission_classes = [TeamPermission]
    lookup_field = "slug"
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
