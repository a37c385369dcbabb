"""A slug for a new object, derived once from its name."""

from django.core.exceptions import ValidationError
from django.db import models

from common.slugs import slug_for, slug_length


def derive_slug(obj: models.Model, *, field: str = "name") -> None:
    """Give a new object its slug from its name, and check no other object has it.

    A slug is an object's address in URLs and the API: derived once, when the object is
    created, and never changed afterwards (renaming keeps the address). Problems are told
    under `field`, the model field the name is typed in (a contract's is `title`), so that a
    form showing that field shows them beside it.
    """
    name = getattr(obj, field)
    if not obj.slug:
        obj.slug = slug_for(name, slug_length(type(obj)))
        if not obj.slug:
            raise ValidationError({field: "Use at least one letter or digit in the name."})
    clash = type(obj).objects.filter(slug=obj.slug).exclude(pk=obj.pk).first()
    if clash:
        raise ValidationError(
            {
                field: f"“{getattr(clash, field)}” already uses the address “{obj.slug}”; "
                "choose a more distinct name."
            }
        )
