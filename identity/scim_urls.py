"""SCIM 2.0 at /scim/v2/: django-scim2's views, open to the directory's bearer token only
(identity.scim.ScimGate), never to a signed-in person's session."""

import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt
from django_scim import exceptions, views

from identity.scim import MAX_RESULTS
from identity.scim_gate import ScimGate, scim_error

app_name = "scim"


class PagingMixin:
    """startIndex and count as RFC 7644 §3.4.2.4 reads them: a count below 0 is 0, one above
    the service's maximum is the maximum; a startIndex below 1 is 1."""

    def _page(self, request):
        try:
            start = int(request.GET.get("startIndex", 1))
            count = int(request.GET.get("count", MAX_RESULTS))
        except ValueError:
            raise exceptions.BadRequestError(
                "startIndex and count must be whole numbers.", scim_type="invalidValue"
            ) from None
        return min(max(start, 1), 10**9), min(max(count, 0), MAX_RESULTS)


class UsersView(PagingMixin, views.UsersView):
    pass


class UserSearchView(PagingMixin, views.UserSearchView):
    pass


class GroupsView(PagingMixin, views.GroupsView):
    pass


class GroupSearchView(PagingMixin, views.GroupSearchView):
    pass


class NotImplementedView(views.SCIMView):
    """What the service does not do (bulk, /Me, searching every type at once): a SCIM 501."""

    def status_501(self, request, *args, **kwargs):
        return scim_error(501, "Seamline does not offer this SCIM endpoint.")


class ListResponseMixin:
    """Discovery lists as full ListResponses, and an unknown id as a SCIM 404."""

    def get(self, request, uuid=None, *args, **kwargs):
        response = super().get(request, uuid, *args, **kwargs)
        if response.status_code == 404:
            return scim_error(404, f"{uuid!r} is not known here."[:200])
        if uuid is None:
            doc = json.loads(response.content)
            total = len(doc["Resources"])
            doc.update(totalResults=total, itemsPerPage=total, startIndex=1)
            response.content = json.dumps(doc)
        return response


class ResourceTypesView(ListResponseMixin, views.ResourceTypesView):
    pass


class SchemasView(ListResponseMixin, views.SchemasView):
    pass


@csrf_exempt
@login_not_required
def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Anything else under /scim/v2/: a SCIM 404, for the directory's token only."""
    return ScimGate(lambda request: scim_error(404, "There is no such SCIM endpoint."))(request)


def _open(view):
    # Not a page for people: the bearer token is checked by the view itself.
    return login_not_required(view)


urlpatterns = [
    re_path(r"^$", _open(NotImplementedView.as_view(implemented=False)), name="root"),
    re_path(r"^\.search$", _open(NotImplementedView.as_view(implemented=False)), name="search"),
    re_path(r"^Users/\.search$", _open(UserSearchView.as_view()), name="users-search"),
    re_path(r"^Users(?:/(?P<uuid>[^/]+))?$", _open(UsersView.as_view()), name="users"),
    re_path(r"^Groups/\.search$", _open(GroupSearchView.as_view()), name="groups-search"),
    re_path(r"^Groups(?:/(?P<uuid>[^/]+))?$", _open(GroupsView.as_view()), name="groups"),
    re_path(r"^Me$", _open(NotImplementedView.as_view(implemented=False)), name="me"),
    re_path(
        r"^ServiceProviderConfig$",
        _open(views.ServiceProviderConfigView.as_view()),
        name="service-provider-config",
    ),
    re_path(
        r"^ResourceTypes(?:/(?P<uuid>[^/]+))?$",
        _open(ResourceTypesView.as_view()),
        name="resource-types",
    ),
    re_path(r"^Schemas(?:/(?P<uuid>[^/]+))?$", _open(SchemasView.as_view()), name="schemas"),
    re_path(r"^Bulk$", _open(NotImplementedView.as_view(implemented=False)), name="bulk"),
    re_path(r"^(?P<rest>.+)$", not_found, name="not-found"),
]
