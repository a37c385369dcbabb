"""SCIM 2.0 provisioning (RFC 7643, 7644) on django-scim2: what the library is told to use.

- `identity.scim_gate.ScimGate` (AUTH_CHECK_MIDDLEWARE) lets in only the directory's bearer
  token and only well-formed bodies, and names the directory in the audit log;
- `ScimPerson` and `ScimGroup` (USER_ADAPTER, GROUP_ADAPTER) read and write people and
  directory groups through identity.services: a person is created or claimed, deactivated,
  never deleted; each group change re-applies the mapped roles and teams;
- the service provider configuration, the schemas and the resource types say exactly what is
  kept.
"""

import copy
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django_scim import constants, exceptions
from django_scim.adapters import SCIMGroup, SCIMUser
from django_scim.models import SCIMServiceProviderConfig
from django_scim.schemas import ALL as LIBRARY_SCHEMAS

from identity import services
from identity.models import DirectoryAccount
from identity.scim_filters import GROUP_SCHEMA, USER_SCHEMA, directory_people
from identity.scim_gate import MAX_BODY_BYTES
from identity.scim_input import (
    apply_group_operation,
    apply_user_operation,
    conflict,
    members_of,
    operations_of,
    person_from,
    split_no_path_value,
    text,
)
from seams.models import User

MAX_RESULTS = 200


def base_location(request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> str:
    """Resource locations are absolute URLs on the host the directory called."""
    if request is not None:
        return request.build_absolute_uri("/")
    return f"https://{settings.SCIM_SERVICE_PROVIDER['NETLOC']}/"


def extra_filter_kwargs_getter(model: type) -> Callable[..., dict]:
    """What every lookup adds: only people the directory provisioned and has not deleted; an
    id that is not a UUID is a 404, like any unknown id."""

    def extra(request: HttpRequest, *args: Any, **kwargs: Any) -> dict:
        if args:
            try:
                uuid.UUID(str(args[0]))
            except ValueError:
                raise exceptions.NotFoundError(str(args[0])[:100]) from None
        if model is User:
            return {
                "directory_account__scim_provisioned": True,
                "directory_account__scim_deleted_at": None,
            }
        return {}

    return extra


def queryset_post_processor_getter(model: type) -> Callable[..., Any]:
    def process(request: HttpRequest, queryset, *args: Any, **kwargs: Any):
        if model is User:
            people = directory_people().filter(pk__in=queryset.values("pk"))
            return (
                people.select_related("directory_account")
                .prefetch_related("directory_groups")
                .order_by("directory_account__scim_id")
            )
        return queryset.prefetch_related("members__directory_account").order_by("scim_id")

    return process


# Returned whatever `attributes` and `excludedAttributes` ask (RFC 7643 §7, "always").
ALWAYS_RETURNED = {"schemas", "id"}


def _attribute_names(request: HttpRequest | None, parameter: str) -> set[str]:
    """Top-level attribute names a query parameter lists (URN prefixes dropped)."""
    if request is None:
        return set()
    names = set()
    for item in request.GET.get(parameter, "")[:2000].split(","):
        item = item.strip()
        if item.lower().startswith("urn:"):
            item = item.rsplit(":", 1)[-1]
        if item:
            names.add(item.split(".", 1)[0].lower())
    return names


def project(d: dict, request: HttpRequest | None) -> dict:
    """The resource with only the attributes asked for (RFC 7644 §3.9)."""
    wanted = _attribute_names(request, "attributes")
    unwanted = _attribute_names(request, "excludedAttributes")
    if wanted:
        return {k: v for k, v in d.items() if k in ALWAYS_RETURNED or k.lower() in wanted}
    if unwanted:
        return {k: v for k, v in d.items() if k in ALWAYS_RETURNED or k.lower() not in unwanted}
    return d


# --- People ------------------------------------------------------------------------------------


class ScimPerson(SCIMUser):
    """A Seamline person as a SCIM User; the resource id is their directory account's."""

    id_field = "directory_account__scim_id"

    @property
    def account(self) -> DirectoryAccount:
        return self.obj.directory_account

    @property
    def id(self) -> str:
        return str(self.account.scim_id)

    @property
    def display_name(self) -> str:
        return self.obj.display_name

    @property
    def emails(self) -> list[dict]:
        if not self.obj.email:
            return []
        # One address, so no "primary" flag to set apart.
        return [{"value": self.obj.email, "type": "work"}]

    @property
    def groups(self) -> list[dict]:
        groups = []
        for group in self.obj.directory_groups.all():
            adapter = ScimGroup(group, request=self.request)
            groups.append(
                {"value": adapter.id, "$ref": adapter.location, "display": group.display_name}
            )
        return groups

    @property
    def meta(self) -> dict:
        return {
            "resourceType": self.resource_type,
            "created": self.obj.date_joined.isoformat(),
            "lastModified": max(self.obj.date_joined, self.account.updated_at).isoformat(),
            "location": self.location,
        }

    def to_dict(self) -> dict:
        name = {"givenName": self.obj.first_name, "familyName": self.obj.last_name}
        name = {key: value for key, value in name.items() if value}
        d: dict[str, Any] = {"schemas": [USER_SCHEMA], "id": self.id}
        if self.account.scim_external_id:
            d["externalId"] = self.account.scim_external_id
        d["userName"] = self.obj.username
        if name:
            d["name"] = name
        d["displayName"] = self.display_name
        if self.obj.job_title:
            d["title"] = self.obj.job_title
        if self.emails:
            d["emails"] = self.emails
        d["active"] = self.obj.is_active
        groups = self.groups
        if groups:
            d["groups"] = groups
        d["meta"] = self.meta
        return project(d, self._request)

    def writable(self) -> dict:
        """The person as a SCIM User body (what a PUT would send), for PATCH to change."""
        return {
            "userName": self.obj.username,
            "externalId": self.account.scim_external_id,
            "name": {"givenName": self.obj.first_name, "familyName": self.obj.last_name},
            "emails": self.emails,
            "title": self.obj.job_title,
            "active": self.obj.is_active,
        }

    def validate_dict(self, d: dict) -> None:
        self._person = person_from(d)

    def from_dict(self, d: dict) -> None:
        self._person = person_from(d)

    def save(self) -> None:
        try:
            if self.obj.pk is None:
                self.obj = services.provision_person(person=self._person)
            else:
                services.update_person(user=self.obj, person=self._person)
        except services.DirectoryConflict as error:
            raise conflict(error) from None
        self.obj = directory_people().select_related("directory_account").get(pk=self.obj.pk)

    def delete(self) -> None:
        services.remove_person_from_directory(user=self.obj)

    def handle_operations(self, operations: Any) -> None:
        d = self.writable()
        for op, path, value in operations_of(operations):
            pairs = [(path, value)] if path else split_no_path_value(value)
            for one_path, one_value in pairs:
                apply_user_operation(d, op, one_path, one_value)
        self.from_dict(d)
        self.save()

    @classmethod
    def resource_type_dict(cls, request: HttpRequest | None = None) -> dict:
        return _resource_type(cls, request, name="User", endpoint="/Users", schema=USER_SCHEMA)


# --- Groups ------------------------------------------------------------------------------------


class ScimGroup(SCIMGroup):
    """A directory group as a SCIM Group; its members are directory people."""

    id_field = "scim_id"

    @property
    def id(self) -> str:
        return str(self.obj.scim_id)

    @property
    def display_name(self) -> str:
        return self.obj.display_name

    @property
    def members(self) -> list[dict]:
        members = []
        for user in self.obj.members.all():
            account = getattr(user, "directory_account", None)
            if account is None or not account.scim_provisioned or account.scim_deleted_at:
                continue
            adapter = ScimPerson(user, request=self.request)
            members.append({"value": adapter.id, "$ref": adapter.location, "type": "User"})
        return members

    @property
    def meta(self) -> dict:
        return {
            "resourceType": self.resource_type,
            "created": self.obj.created_at.isoformat(),
            "lastModified": self.obj.updated_at.isoformat(),
            "location": self.location,
        }

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"schemas": [GROUP_SCHEMA], "id": self.id}
        if self.obj.external_id:
            d["externalId"] = self.obj.external_id
        d["displayName"] = self.display_name
        members = self.members
        if members:
            d["members"] = members
        d["meta"] = self.meta
        return project(d, self._request)

    def writable(self) -> dict:
        return {
            "displayName": self.obj.display_name,
            "externalId": self.obj.external_id,
            "members": [{"value": m["value"]} for m in self.members],
        }

    def validate_dict(self, d: dict) -> None:
        self.from_dict(d)

    def from_dict(self, d: dict) -> None:
        self._display_name = text(d, "displayName", max_length=255, required=True)
        external_id = d.get("externalId")
        self._external_id = text(d, "externalId", max_length=255) if external_id is not None else ""
        self._members = None if "members" not in d else members_of(d["members"])

    def save(self) -> None:
        try:
            services.save_directory_group(
                group=self.obj,
                display_name=self._display_name,
                external_id=self._external_id,
                members=self._members,
            )
        except services.DirectoryConflict as error:
            raise conflict(error) from None

    def delete(self) -> None:
        services.delete_directory_group(group=self.obj)

    def handle_operations(self, operations: Any) -> None:
        d = self.writable()
        for op, path, value in operations_of(operations):
            pairs = [(path, value)] if path else split_no_path_value(value)
            for one_path, one_value in pairs:
                apply_group_operation(d, op, one_path, one_value)
        self.from_dict(d)
        self.save()

    @classmethod
    def resource_type_dict(cls, request: HttpRequest | None = None) -> dict:
        return _resource_type(cls, request, name="Group", endpoint="/Groups", schema=GROUP_SCHEMA)


# --- What the service says about itself --------------------------------------------------------


def _resource_type(cls, request, *, name: str, endpoint: str, schema: str) -> dict:
    path = reverse("scim:resource-types", kwargs={"uuid": name})
    return {
        "schemas": [constants.SchemaURI.RESOURCE_TYPE],
        "id": name,
        "name": name,
        "endpoint": endpoint,
        "description": name,
        "schema": schema,
        "meta": {"location": urljoin(base_location(request), path), "resourceType": "ResourceType"},
    }


class ScimServiceProviderConfig(SCIMServiceProviderConfig):
    def to_dict(self) -> dict:
        d = super().to_dict()
        d["filter"] = {"supported": True, "maxResults": MAX_RESULTS}
        d["bulk"] = {"supported": False, "maxOperations": 0, "maxPayloadSize": MAX_BODY_BYTES}
        d["changePassword"] = {"supported": False}
        if not d.get("documentationUri"):
            d.pop("documentationUri", None)
        return d


# The attributes Seamline keeps; the library's full schemas promise many more.
_USER_ATTRIBUTES = {"userName", "name", "displayName", "title", "active", "emails", "groups"}
_NAME_PARTS = {"givenName", "familyName"}
_EMAIL_PARTS = {"value", "type"}


def schemas() -> list[dict]:
    """The User and Group schemas, trimmed to what Seamline keeps."""
    by_id = {schema["id"]: copy.deepcopy(schema) for schema in LIBRARY_SCHEMAS}
    user = by_id[USER_SCHEMA]
    user["attributes"] = [a for a in user["attributes"] if a["name"] in _USER_ATTRIBUTES]
    for attribute in user["attributes"]:
        if attribute["name"] == "name":
            attribute["subAttributes"] = [
                s for s in attribute["subAttributes"] if s["name"] in _NAME_PARTS
            ]
        if attribute["name"] == "emails":
            attribute["subAttributes"] = [
                s for s in attribute["subAttributes"] if s["name"] in _EMAIL_PARTS
            ]
            for part in attribute["subAttributes"]:
                if part["name"] == "type":  # Seamline keeps one address: the work one
                    part["canonicalValues"] = ["work"]
        if attribute["name"] in ("displayName", "groups"):
            attribute["mutability"] = "readOnly"
        if attribute["name"] == "active":  # every person is either active or not
            attribute["required"] = True
    group = by_id[GROUP_SCHEMA]
    for attribute in group["attributes"]:
        if attribute["name"] == "displayName":
            attribute["required"] = True
            attribute["uniqueness"] = "server"
    for schema in (user, group):
        schema["schemas"] = ["urn:ietf:params:scim:schemas:core:2.0:Schema"]
        # Read while the URLs load: no reverse() here.
        schema["meta"] = {"resourceType": "Schema", "location": f"/scim/v2/Schemas/{schema['id']}"}
    return [user, group]
