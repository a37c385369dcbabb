"""SCIM filters (RFC 7644 §3.4.2.2) as database queries, for django-scim2's filter classes.

django-scim2's own filter classes turn a filter into raw SQL on one table: they can't reach the
directory account (id, externalId), they drop any attribute they don't know (so a filter on an
unknown attribute would answer everyone) and they compare ids as text, which SQLite stores in
another form. Here the library's parser reads the filter and each comparison becomes a Django
lookup; an attribute we don't keep is a clear 400 (invalidFilter).

Kept apart from identity.scim: django-scim2 imports these classes while its adapters load.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Concat, Trim
from django_scim import exceptions
from django_scim.filters import FilterQuery
from scim2_filter_parser import ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError

from identity.models import DirectoryGroup
from seams.models import User

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
MAX_FILTER_LENGTH = 1000


@dataclass(frozen=True)
class Field:
    """One filterable attribute: the lookup it becomes and how its values compare."""

    lookup: str
    kind: str = "text"  # text, ci_text (case-insensitive), uuid, bool, datetime, constant
    constant: object = None


USER_FIELDS: dict[tuple[str, str | None], Field] = {
    ("username", None): Field("username", "ci_text"),
    ("externalid", None): Field("directory_account__scim_external_id"),
    ("id", None): Field("directory_account__scim_id", "uuid"),
    ("emails", None): Field("email", "ci_text"),
    ("emails", "value"): Field("email", "ci_text"),
    ("emails", "type"): Field("", "constant", "work"),
    ("emails", "primary"): Field("", "constant", True),
    ("name", "givenname"): Field("first_name"),
    ("name", "familyname"): Field("last_name"),
    ("name", "formatted"): Field("scim_display_name"),
    ("displayname", None): Field("scim_display_name"),
    ("title", None): Field("job_title"),
    ("active", None): Field("is_active", "bool"),
    ("meta", "created"): Field("date_joined", "datetime"),
    ("meta", "lastmodified"): Field("directory_account__updated_at", "datetime"),
    ("groups", None): Field("directory_groups__scim_id", "uuid"),
    ("groups", "value"): Field("directory_groups__scim_id", "uuid"),
    ("groups", "display"): Field("directory_groups__display_name", "ci_text"),
}

GROUP_FIELDS: dict[tuple[str, str | None], Field] = {
    ("displayname", None): Field("display_name", "ci_text"),
    ("externalid", None): Field("external_id"),
    ("id", None): Field("scim_id", "uuid"),
    ("members", None): Field("members__directory_account__scim_id", "uuid"),
    ("members", "value"): Field("members__directory_account__scim_id", "uuid"),
    ("members", "display"): Field("members__username", "ci_text"),
    ("meta", "created"): Field("created_at", "datetime"),
    ("meta", "lastmodified"): Field("updated_at", "datetime"),
}

_TEXT_LOOKUPS = {"eq": "exact", "co": "contains", "sw": "startswith", "ew": "endswith"}
_ORDER_LOOKUPS = {"gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
_NOTHING = Q(pk__in=[])


def invalid_filter(detail: str) -> exceptions.BadRequestError:
    return exceptions.BadRequestError(detail, scim_type="invalidFilter")


def filter_q(text: str, fields: dict[tuple[str, str | None], Field], schema: str) -> Q:
    """The filter `text` as a Q on the resource's model; a 400 (invalidFilter) if it is not
    a filter or names an attribute we don't keep."""
    if not isinstance(text, str) or not text.strip():
        raise invalid_filter("The filter is empty.")
    if len(text) > MAX_FILTER_LENGTH:
        raise invalid_filter(f"The filter is longer than {MAX_FILTER_LENGTH} characters.")
    if "\x00" in text:
        raise invalid_filter("The filter can't contain NUL characters.")
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(text))
    except (SCIMParserError, ValueError, IndexError, RecursionError) as error:
        raise invalid_filter(f"The filter could not be read: {error}") from None
    if tree is None:
        raise invalid_filter("The filter could not be read.")
    return _Translator(fields, schema).node(tree, None)


class _Translator:
    def __init__(self, fields: dict, schema: str) -> None:
        self.fields = fields
        self.schema = schema.casefold()

    def node(self, node, namespace: str | None) -> Q:
        if isinstance(node, ast.Filter):
            inner_namespace = namespace
            if node.namespace is not None:
                inner_namespace = self.attribute_name(node.namespace)
            q = self.node(node.expr, inner_namespace)
            return ~q if node.negated else q
        if isinstance(node, ast.LogExpr):
            left, right = self.node(node.expr1, namespace), self.node(node.expr2, namespace)
            return (left & right) if node.op.lower() == "and" else (left | right)
        if isinstance(node, ast.AttrExpr):
            return self.comparison(node, namespace)
        raise invalid_filter("The filter could not be read.")

    def attribute_name(self, path: ast.AttrPath) -> str:
        if path.uri and path.uri.casefold() != self.schema:
            raise invalid_filter(f"Unknown schema in filter: {path.uri}")
        if not isinstance(path.attr_name, str):
            raise invalid_filter("The filter could not be read.")
        return path.attr_name

    def comparison(self, node: ast.AttrExpr, namespace: str | None) -> Q:
        path = node.attr_path
        if isinstance(path.attr_name, ast.Filter):
            # emails[type eq "work"].value eq "…": the bracket's condition and the comparison.
            inner = path.attr_name
            outer = inner.namespace
            attr = self.attribute_name(outer)
            sub = (
                (outer.sub_attr or path.sub_attr).value
                if (outer.sub_attr or path.sub_attr)
                else None
            )
            condition = self.node(ast.Filter(inner.expr, inner.negated, None), attr)
            return condition & self.compare(node.value, (attr, sub), node.comp_value)
        attr = self.attribute_name(path)
        sub = path.sub_attr.value if path.sub_attr else None
        key = (namespace, attr) if namespace else (attr, sub)
        return self.compare(node.value, key, node.comp_value)

    def compare(self, op: str, key: tuple[str, str | None], comp_value) -> Q:
        name = (key[0].casefold(), key[1].casefold() if key[1] else None)
        field = self.fields.get(name)
        if field is None:
            shown = ".".join(part for part in key if part)
            raise invalid_filter(f"Can't filter on {shown!r}.")
        op = op.lower()
        raw = comp_value.value if comp_value is not None else None
        if field.kind == "constant":
            return Q() if op == "pr" or _same(field.constant, raw) else _NOTHING
        if op == "pr":
            present = Q(**{f"{field.lookup}__isnull": False})
            if field.kind in ("text", "ci_text"):
                present &= ~Q(**{field.lookup: ""})
            return present
        value = _value(field, raw, op)
        if value is None:
            return _NOTHING
        if op == "ne":
            return ~self.compare("eq", key, comp_value)
        if op in _ORDER_LOOKUPS:
            if field.kind in ("bool", "uuid"):
                raise invalid_filter(f"{op!r} does not compare {'.'.join(p for p in key if p)}.")
            return Q(**{f"{field.lookup}__{_ORDER_LOOKUPS[op]}": value})
        if op not in _TEXT_LOOKUPS:
            raise invalid_filter(f"Unknown operator {op!r}.")
        if op != "eq" and field.kind not in ("text", "ci_text"):
            raise invalid_filter(f"{op!r} compares text only.")
        lookup = _TEXT_LOOKUPS[op]
        if field.kind == "ci_text":
            lookup = "i" + lookup
        return Q(**{f"{field.lookup}__{lookup}": value})


def _same(constant: object, raw: object) -> bool:
    if isinstance(constant, bool):
        return str(raw).lower() == str(constant).lower()
    return str(raw).casefold() == str(constant).casefold()


def _value(field: Field, raw: object, op: str):
    """The comparison's value for the field; None when nothing can match it (an id that is
    not an id)."""
    if raw is None or raw == "null":
        raise invalid_filter("Compare with null using 'pr' (present).")
    text = str(raw)
    if field.kind == "bool":
        if text.lower() not in ("true", "false"):
            raise invalid_filter(f"{text!r} is not true or false.")
        return text.lower() == "true"
    if field.kind == "uuid":
        try:
            return uuid.UUID(text)
        except ValueError:
            return None
    if field.kind == "datetime":
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise invalid_filter(f"{text!r} is not a date and time.") from None
    return text


def with_display_name(people: QuerySet) -> QuerySet:
    """People with the displayName SCIM shows: their full name, or their username."""
    full = Trim(Concat("first_name", Value(" "), "last_name", output_field=CharField()))
    return people.alias(scim_full_name=full).annotate(
        scim_display_name=Case(
            When(scim_full_name="", then=F("username")),
            default=F("scim_full_name"),
            output_field=CharField(),
        )
    )


def directory_people() -> QuerySet:
    """The people the SCIM directory sees: those it created or claimed and has not deleted."""
    return with_display_name(
        User.objects.filter(
            directory_account__scim_provisioned=True,
            directory_account__scim_deleted_at__isnull=True,
        )
    )


class PersonFilter(FilterQuery):
    model_getter = User
    attr_map: dict = {}

    @classmethod
    def search(cls, filter_query: str, request=None) -> QuerySet:
        q = filter_q(filter_query, USER_FIELDS, USER_SCHEMA)
        people = directory_people().filter(pk__in=directory_people().filter(q).values("pk"))
        return (
            people.select_related("directory_account")
            .prefetch_related("directory_groups")
            .order_by("directory_account__scim_id")
        )


class GroupFilter(FilterQuery):
    model_getter = DirectoryGroup
    attr_map: dict = {}

    @classmethod
    def search(cls, filter_query: str, request=None) -> QuerySet:
        q = filter_q(filter_query, GROUP_FIELDS, GROUP_SCHEMA)
        groups = DirectoryGroup.objects.filter(pk__in=DirectoryGroup.objects.filter(q).values("pk"))
        return groups.prefetch_related("members__directory_account").order_by("scim_id")
