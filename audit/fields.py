"""Looking up a model's field by the name an entry's changes use: for the loggers and the
reader alike."""

from django.core.exceptions import FieldDoesNotExist
from django.db import models


def model_field(model: type[models.Model] | None, name: str):
    """The field called `name` on `model`, or None (no model, or no such field any more)."""
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def is_reverse(field) -> bool:
    """Whether it is another model's relation pointing here."""
    return bool(field is not None and field.auto_created and not field.concrete)


def is_relation(field) -> bool:
    """Whether it holds another object's key (a foreign key or a one-to-one)."""
    return bool(field is not None and (field.many_to_one or field.one_to_one))
