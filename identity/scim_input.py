"""What the SCIM directory sends, read and checked: a User body, PATCH operations (in the
shapes Entra ID and Okta send them) applied to a resource's writable body, group members.
Anything Seamline can't keep is a SCIM 400 naming the problem."""

import re
import uuid
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core import validators
from django.core.exceptions import ValidationError
from django_scim import exceptions

from identity import services
from identity.scim_filters import GROUP_SCHEMA, USER_SCHEMA, directory_people
from seams.models import User

ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MAX_OPERATIONS = 1000
MAX_MEMBERS = 10_000


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
        raise bad("userName may contain only letters, digits and @ . + - _ (no spaces).") from None
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


# --- PATCH, applied to a User body -------------------------------------------------------------


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


# --- Group members ----------------------------------------------------------------------------


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
    attr, bracket, _sub = parsed
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
            current = (
                []
                if (bracket is None and value is None)
                else [m for m in current if m not in named]
            )
        else:
            current = named if bracket is None else current
        d["members"] = [{"value": m} for m in current]
    elif attr in ("id", "meta", "schemas"):
        return  # Okta repeats the id in a replace's value: set by Seamline, ignored
    else:
        raise bad(f"Groups have no attribute {path!r}."[:200], "invalidPath")
