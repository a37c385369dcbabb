from datetime import time
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils.text import slugify

from seams.models import Calendar, HandoffSpec, Membership, Seam, Team, User
from seams.services import save_spec

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    job_title = factory.Faker("job")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs) -> None:
        """UserFactory(roles=["leader"]): organisation roles, as groups."""
        if create and extracted:
            self.groups.set([Group.objects.get_or_create(name=name)[0] for name in extracted])


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.LazyAttribute(lambda t: slugify(t.name))
    description = factory.Faker("sentence", nb_words=6)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class CalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Calendar
        django_get_or_create = ["slug"]

    name = "UK business hours"
    slug = factory.LazyAttribute(lambda c: slugify(c.name))
    time_zone = "Europe/London"
    working_weekdays = factory.LazyFunction(lambda: [1, 2, 3, 4, 5])
    day_start = time(9, 0)
    day_end = time(17, 30)


class SeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seam
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Seam {n}")
    slug = factory.LazyAttribute(lambda s: slugify(s.name))
    from_team = factory.SubFactory(TeamFactory)
    to_team = factory.SubFactory(TeamFactory)
    calendar = factory.SubFactory(CalendarFactory)
    status = Seam.Status.ACTIVE
    spec = factory.RelatedFactory("tests.factories.HandoffSpecFactory", factory_related_name="seam")


class HandoffSpecFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HandoffSpec
        django_get_or_create = ["seam"]

    seam = factory.SubFactory(SeamFactory, spec=None)


def write_spec(seam, *, by, note="First spec", **changes):
    """Save a version of the seam's spec the way the app does, on top of the current one."""
    spec = seam.spec
    spec.refresh_from_db()
    content = (
        {
            "owner": by,
            "definition_of_ready": ["Use case in one paragraph", "Sample payload attached"],
            "definition_of_done": "A scoped brief with an estimate.",
            "response_sla_hours": Decimal("16"),
            "forum": "Weekly seam sync",
        }
        if spec.version == 0
        else {}
    )
    return save_spec(
        spec=spec, changes=content | changes, base_version=spec.version, by=by, note=note
    )
