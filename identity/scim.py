"""SCIM 2.0 provisioning (RFC 7643, 7644) on django-scim2: what the library is told to use.

- `ScimGate` (AUTH_CHECK_MIDDLEWARE) lets in only the directory's bearer token and only
  well-formed bodies, and names the directory in the audit log;
- `ScimPerson` and `ScimGroup` (USER_ADAPTER, GROUP_ADAPTER) read and write people and
  directory groups through identity.services: a person is created or claimed, deactivated,
  never deleted; each group change re-applies the mapped roles and teams;
- the service provider configuration, the schemas and the resource types say exactly what is
  kept.
"""

import copy
import hmac
import json
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from auditlog.context import auditlog_value
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core import validators
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_scim import constants, exceptions
from django_scim.adapters import SCIMGroup, SCIMUser
from django_scim.models import SCIMServiceProviderConfig
from django_scim.schemas import ALL as LIBRARY_SCHEMAS

from identity import services
from identity.models import DirectoryAccount, DirectoryGroup
from identity.scim_filters import GROUP_SCHEMA, USER_SCHEMA, directory_people
from seams.models import User

DIRECTORY = "SCIM directory"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
CONTENT_TYPES = ("application/scim+json", "application/json")
MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 8
MAX_OPERATIONS = 1000
MAX_MEMBERS = 10_000
MAX_RESULTS = 200


# --- The gate: the bearer token, the body, and who the audit log names -------------------------


class DirectoryClient:
    """The SCIM directory, signed in by its bearer token: no person, no password, no rights
    anywhere else (it exists only for the length of one SCIM request)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None
    username = DIRECTORY

    def __str__(self) -> str:
        return DIRECTORY

    def get_username(self) -> str:
        return DIRECTORY

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False

    def has_perms(self, perms: list[str], obj: object = None) -> bool:
        return False

    def has_module_perms(self, app_label: str) -> bool:
        return False


def scim_error(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    body: dict[str, Any] = {"schemas": [constants.SchemaURI.ERROR], "status": str(status)}
    if scim_type:
        body["scimType"] = scim_type
    body["detail"] = detail
    return HttpResponse(json.dumps(body), status=status, content_type=constants.SCIM_CONTENT_TYPE)


def bearer_token_valid(request: HttpRequest) -> bool:
    expected = settings.SCIM_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not given.strip():
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


class ScimGate:
    """Wraps every SCIM view (django-scim2's AUTH_CHECK_MIDDLEWARE): a 401 without the
    directory's token (a signed-in person's session is no token), a clear 4xx for a body that
    is not one JSON object, and on any error answer nothing the view wrote is kept."""

    def __init__(self, get_response: Callable[..., HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.SCIM_TOKEN:
            return self._unauthorized("SCIM provisioning is turned off (no SCIM_TOKEN is set).")
        if not bearer_token_valid(request):
            return self._unauthorized("A valid bearer token is required.")
        refusal = check_body(request)
        if refusal is not None:
            return refusal
        request.user = DirectoryClient()
        name_directory_in_audit_log()
        response = self.get_response(request, *args, **kwargs)
        if response.status_code >= 400 and transaction.get_connection().in_atomic_block:
            transaction.set_rollback(True)
        return response

    @staticmethod
    def _unauthorized(detail: str) -> HttpResponse:
        response = scim_error(401, detail)
        response["WWW-Authenticate"] = 'Bearer realm="Seamline SCIM"'
        return response


def name_directory_in_audit_log() -> None:
    """Entries of this request name the SCIM directory, not whoever's session came along."""
    context = auditlog_value.get(None)
    if isinstance(context, dict):
        context["actor"] = None
        context["actor_email"] = DIRECTORY
        context["additional_data"] = {"source": "scim"}


def _answers(request: HttpRequest) -> bool:
    """Whether the view will read this request's body (it takes the method at all)."""
    view_class = getattr(getattr(request.resolver_match, "func", None), "view_class", None)
    if view_class is None:
        return False
    initkwargs = getattr(request.resolver_match.func, "view_initkwargs", {})
    return initkwargs.get("implemented", True) and (
        request.method.lower() in view_class.http_method_names
    )


def check_body(request: HttpRequest) -> HttpResponse | None:
    """A 4xx for a write whose body is not one JSON object of sane size and depth."""
    if request.method not in ("POST", "PUT", "PATCH") or not _answers(request):
        return None
    too_big = scim_error(413, f"The body is larger than {MAX_BODY_BYTES} bytes.", "tooMany")
    try:
        raw = request.body  # Django refuses more than DATA_UPLOAD_MAX_MEMORY_SIZE
    except RequestDataTooBig:
        return too_big
    if not raw:
        return scim_error(400, "The body is empty: send a JSON object.", "invalidSyntax")
    if request.content_type not in CONTENT_TYPES:
        return scim_error(415, "Send the body as application/scim+json.", "invalidSyntax")
    if len(raw) > MAX_BODY_BYTES:
        return too_big
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return scim_error(400, "The body is not UTF-8 text.", "invalidSyntax")
    except (ValueError, RecursionError):
        return scim_error(400, "The body is not valid JSON.", "invalidSyntax")
    if not isinstance(body, dict) or not body:
        return scim_error(400, "The body must be a JSON object.", "invalidSyntax")
    problem = _shape_problem(body, depth=0)
    if problem:
        return scim_error(400, problem, "invalidValue")
    return None


def _shape_problem(value: Any, *, depth: int) -> str:
    if depth > MAX_DEPTH:
        return f"The body is nested more than {MAX_DEPTH} levels deep."
    if isinstance(value, str):
        return "Text can't contain NUL characters (\\0)." if "\x00" in value else ""
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return ""
    for item in items:
        problem = _shape_problem(item, depth=depth + 1)
        if problem:
            return problem
    return ""


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
            return people.select_related("directory_account").prefetch_related(
                "directory_groups"
            ).order_by("directory_account__scim_id")
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


# --- Reading what the directory sends ----------------------------------------------------------


def bad(detail: str, scim_type: str = "invalidValue") -> exceptions.BadRequestError:
    return exceptions.BadRequestError(detail, scim_type=scim_type)


def conflict(error: services.DirectoryConflict) -> exceptions.IntegrityError:
    return exceptions.IntegrityError(str(error), scim_type="uniqueness")


def text(d: dict, key: str, *, max_length: int, required: bool = False) -> str:
    value = d.get(key)
    if value is None:
        if required:
            raise bad(f"{key} is required.", "invalidValue")
        return ""
    if not isinstance(value, str):
        raise bad(f"{key} must be a string, not {type(value).__name__}.")
    value = value.strip()
    if required and not value:
        raise bad(f"{key} can't be empty.")
    if len(value) > max_length:
        raise bad(f"{key} is longer than {max_length} characters.")
    return value


def boolean(value: Any, *, name: str) -> bool:
    # Entra ID sends "True" and "False" as strings.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise bad(f"{name} must be true or false, not {value!r}."[:200])


def primary_email(value: Any) -> str:
    """The one email Seamline keeps: the primary one, else the work one, else the first."""
    if value is None:
        return ""
    if isinstance(value, dict):  # OneLogin sends one object
        value = [value]
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise bad("emails must be a list of objects.")
    if not value:
        return ""
    chosen = next((e for e in value if e.get("primary") in (True, "true", "True")), None)
    chosen = chosen or next((e for e in value if e.get("type") == "work"), None) or value[0]
    email = text(chosen, "value", max_length=254)
    if email:
        try:
            validators.validate_email(email)
        except ValidationError:
            raise bad(f"{email!r} is not an email address.") from None
    return email


def person_from(d: dict) -> services.DirectoryPerson:
    """A directory person from a SCIM User; a 400 for anything Seamline can't keep."""
    user_name = text(d, "userName", max_length=150, required=True)
    try:
        UnicodeUsernameValidator()(user_name)
    except ValidationError:
        raise bad(
            "userName may contain only letters, digits and @ . + - _ (no spaces)."
        ) from None
    name = d.get("name") or {}
    if not isinstance(name, dict):
        raise bad("name must be an object.")
    active = d.get("active")
    external_id = d.get("externalId")
    return services.DirectoryPerson(
        user_name=user_name,
        external_id=text(d, "externalId", max_length=255) if external_id is not None else "",
        given_name=text(name, "givenName", max_length=150),
        family_name=text(name, "familyName", max_length=150),
        email=primary_email(d.get("emails")),
        title=text(d, "title", max_length=120),
        active=None if active is None else boolean(active, name="active"),
    )


_PATH = re.compile(
    r"(?P<attr>[A-Za-z$][\w$-]*)(?:\[(?P<filter>[^\]]*)\])?(?:\.(?P<sub>[A-Za-z$][\w$-]*))?"
)
_VALUE_EQ = re.compile(r'\s*value\s+eq\s+"(?P<value>[^"]*)"\s*', re.IGNORECASE)


def parse_path(path: str, schema: str) -> tuple[str, str | None, str | None] | None:
    """(attribute, bracket filter, sub-attribute) of a PATCH path, lower-cased names; None for
    an extension's attribute (kept by no one here, so ignored)."""
    if not isinstance(path, str) or len(path) > 500:
        raise bad("path must be a string.", "invalidPath")
    rest = path.strip()
    if rest.lower().startswith(schema.lower() + ":"):
        rest = rest[len(schema) + 1 :]
    elif rest.lower().startswith("urn:"):
        return None
    match = _PATH.fullmatch(rest)
    if not match:
        raise bad(f"Can't read the path {path!r}.", "invalidPath")
    sub = match["sub"].lower() if match["sub"] else None
    return match["attr"].lower(), match["filter"], sub


def operations_of(operations: Any) -> list[tuple[str, Any, Any]]:
    """(op, path, value) of each PATCH operation, checked."""
    if not isinstance(operations, list) or not operations:
        raise bad("Operations must be a non-empty list.", "invalidSyntax")
    if len(operations) > MAX_OPERATIONS:
        raise bad(f"More than {MAX_OPERATIONS} operations.", "tooMany")
    checked = []
    for operation in operations:
        if not isinstance(operation, dict):
            raise bad("Each operation must be an object.", "invalidSyntax")
        op = operation.get("op")
        if not isinstance(op, str) or op.lower() not in ("add", "remove", "replace"):
            raise bad(f"Unknown op {op!r}; use add, remove or replace."[:200], "invalidSyntax")
        path = operation.get("path")
        if op.lower() == "remove" and not path:
            raise bad("A remove needs a path.", "noTarget")
        if not path and not isinstance(operation.get("value"), dict):
            raise bad("An operation without a path needs an object value.", "invalidValue")
        checked.append((op.lower(), path or None, operation.get("value")))
    return checked


def split_no_path_value(value: dict) -> list[tuple[str, Any]]:
    """An operation without a path, as (path, value) pairs: each key is a path (Entra ID may
    write "name.givenName"; an extension's URN key holds that extension's attributes)."""
    pairs = []
    for key, item in value.items():
        if not isinstance(key, str):
            continue
        pairs.append((key, item))
    return pairs


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


def apply_user_operation(d: dict, op: str, path: str, value: Any) -> None:
    """Apply one PATCH operation to the writable User body `d`."""
    if isinstance(path, str) and path.strip().lower() == ENTERPRISE_SCHEMA.lower():
        return
    parsed = parse_path(path, USER_SCHEMA)
    if parsed is None:
        return
    attr, bracket, sub = parsed
    removing = op == "remove"
    if attr in ("username", "externalid", "title", "active", "displayname"):
        key = {"username": "userName", "externalid": "externalId", "title": "title"}.get(attr)
        if attr == "active":
            if not removing:
                d["active"] = boolean(value, name="active")
        elif attr == "displayname":
            return  # Seamline shows the person's name: displayName follows it
        else:
            d[key] = None if removing else value
    elif attr == "name":
        if sub:
            fields = {"givenname": "givenName", "familyname": "familyName"}
            if sub in fields:
                d["name"][fields[sub]] = None if removing else value
        elif removing:
            d["name"] = {}
        elif isinstance(value, dict):
            d["name"] = {**d["name"], **value} if op == "add" else value
        else:
            raise bad("name must be an object.")
    elif attr == "emails":
        apply_email_operation(d, op, bracket, sub, value)
    elif attr in ("groups", "id", "meta", "schemas", "password"):
        if attr == "password":
            raise bad("Seamline keeps no passwords for directory people.", "mutability")
        return  # read-only, or set by Seamline
    # Attributes of the core schema Seamline doesn't keep (phoneNumbers, addresses, …) are
    # ignored, as they are in a POST or PUT.


def apply_email_operation(
    d: dict, op: str, bracket: str | None, sub: str | None, value: Any
) -> None:
    current = d["emails"][0]["value"] if d["emails"] else ""
    if bracket is not None:
        match = _VALUE_EQ.fullmatch(bracket)
        if match and match["value"].casefold() != current.casefold():
            return  # names another address than the one kept
    if op == "remove":
        if sub in (None, "value"):
            d["emails"] = []
        return
    if bracket is not None or sub:
        if sub in (None, "value"):
            new = value["value"] if isinstance(value, dict) else value
            d["emails"] = [{"value": new, "primary": True}]
        return
    d["emails"] = value


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
        self._external_id = (
            text(d, "externalId", max_length=255) if external_id is not None else ""
        )
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


def member_ids(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
        raise bad("members must be a list of objects with a value.")
    if len(value) > MAX_MEMBERS:
        raise bad(f"More than {MAX_MEMBERS} members.", "tooMany")
    ids = []
    for member in value:
        member_id = member.get("value")
        if not isinstance(member_id, str) or not member_id.strip():
            raise bad("Each member needs the id of a User as its value.")
        ids.append(member_id.strip())
    return ids


def members_of(value: Any) -> list[User]:
    """The directory people these member ids name; a 400 if one names no one."""
    ids = member_ids(value)
    wanted = set()
    for member_id in ids:
        try:
            wanted.add(uuid.UUID(member_id))
        except ValueError:
            raise bad(f"No user has the id {member_id!r}."[:200]) from None
    people = list(directory_people().filter(directory_account__scim_id__in=wanted))
    if len(people) != len(wanted):
        raise bad("A member is not a user provisioned by the directory (or is deleted).")
    return people


def apply_group_operation(d: dict, op: str, path: str, value: Any) -> None:
    parsed = parse_path(path, GROUP_SCHEMA)
    if parsed is None:
        return
    attr, bracket, sub = parsed
    if attr == "displayname":
        if op == "remove":
            raise bad("A group needs a displayName.", "mutability")
        d["displayName"] = value
    elif attr == "externalid":
        d["externalId"] = None if op == "remove" else value
    elif attr == "members":
        current = [m["value"] for m in d["members"]]
        if bracket is not None:
            match = _VALUE_EQ.fullmatch(bracket)
            if not match:
                raise bad('Name members by value: members[value eq "…"].', "invalidFilter")
            named = [match["value"]]
        else:
            named = member_ids(value)
        if op == "add":
            current += [m for m in named if m not in current]
        elif op == "remove":
            current = [] if (bracket is None and value is None) else [
                m for m in current if m not in named
            ]
        else:
            current = named if bracket is None else current
        d["members"] = [{"value": m} for m in current]
    elif attr in ("id", "meta", "schemas"):
        return  # Okta repeats the id in a replace's value: set by Seamline, ignored
    else:
        raise bad(f"Groups have no attribute {path!r}."[:200], "invalidPath")


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
