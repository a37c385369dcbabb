"""How a name becomes a slug: one rule for every app.

A slug is an object's address in URLs and the API. It is the name slugified, cut to what the
model's slug field holds, without a dash left hanging at the cut. Two ways to deal with a slug
that is taken: what people name in a form is refused with a message (seams.models.derive_slug),
so they choose a more distinct name; what Seamline names itself (a calendar made from an import,
the guided start's seams and webhook sources) gets the first free "-2", "-3", … instead.
"""

from django.db import models
from django.utils.text import slugify

# Room kept for a "-2"-style suffix when a generated slug is taken.
SUFFIX_ROOM = 10


def slug_for(name: str, max_length: int) -> str:
    """The slug of `name`, at most `max_length` characters; "" for a name with no letter or
    digit."""
    return slugify(name)[:max_length].strip("-")


def slug_length(model: type[models.Model]) -> int:
    return model._meta.get_field("slug").max_length


def free_slug(model: type[models.Model], name: str, *, fallback: str) -> str:
    """A slug for `name` that no `model` object has yet: the name's (or `fallback`'s), then
    "-2", "-3", … The base is kept SUFFIX_ROOM short of the field's length so that the suffix
    always fits."""
    base = slug_for(name, slug_length(model) - SUFFIX_ROOM) or fallback
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
