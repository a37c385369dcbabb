from decimal import Decimal

import pytest

from seams.models import HandoffSpec, SpecVersion
from seams.services import SpecConflict, restore_spec_version, save_spec
from tests.factories import UserFactory, write_spec


def test_it_makes_every_save_a_new_version_with_author_note_and_content(seam, owner, leader):
    version = save_spec(
        spec=seam.spec,
        changes={"response_sla_hours": Decimal("8")},
        base_version=1,
        by=leader,
        note="Faster responses for the pilot",
    )
    spec = HandoffSpec.objects.get(seam=seam)
    assert (version.number, spec.version) == (2, 2)
    assert spec.response_sla_hours == Decimal("8")
    assert spec.updated_by == leader
    assert version.author == leader
    assert version.note == "Faster responses for the pilot"
    # A version is a full snapshot, not only the change.
    assert version.owner == owner
    assert version.definition_of_ready == ["Use case in one paragraph", "Sample payload attached"]
    first = spec.versions.get(number=1)
    assert first.response_sla_hours == Decimal("16")


def test_it_refuses_a_save_based_on_an_old_version_and_writes_nothing(seam, owner, other_owner):
    write_spec(seam, by=owner, note="First edit wins", forum="Daily stand-up")
    with pytest.raises(SpecConflict) as raised:
        save_spec(
            spec=seam.spec,
            changes={"forum": "Second edit"},
            base_version=1,
            by=other_owner,
            note="Stale",
        )
    assert raised.value.spec.version == 2
    spec = HandoffSpec.objects.get(seam=seam)
    assert spec.forum == "Daily stand-up"
    assert spec.versions.count() == 2


def test_it_lets_only_one_of_two_saves_of_the_same_version_win(seam, owner, other_owner):
    spec_a = HandoffSpec.objects.get(seam=seam)
    spec_b = HandoffSpec.objects.get(seam=seam)
    save_spec(spec=spec_a, changes={"notes": "A"}, base_version=1, by=owner, note="A")
    with pytest.raises(SpecConflict):
        save_spec(spec=spec_b, changes={"notes": "B"}, base_version=1, by=other_owner, note="B")
    assert list(SpecVersion.objects.filter(spec=spec_a).values_list("note", flat=True)) == [
        "A",
        "First spec",
    ]


def test_it_restores_an_old_version_as_a_new_one(seam, owner, leader):
    write_spec(seam, by=owner, note="Shorter SLA", response_sla_hours=Decimal("8"))
    restored = restore_spec_version(spec=seam.spec, number=1, base_version=2, by=leader)
    spec = HandoffSpec.objects.get(seam=seam)
    assert (restored.number, restored.restored_from, restored.note) == (3, 1, "Restored version 1")
    assert spec.response_sla_hours == Decimal("16")
    assert spec.versions.count() == 3


def test_it_refuses_unknown_fields(seam, owner):
    with pytest.raises(ValueError, match="seam"):
        save_spec(spec=seam.spec, changes={"seam": None}, base_version=1, by=owner, note="x")


@pytest.mark.django_db
def test_it_writes_the_named_owner_into_version_1_when_a_seam_is_created(team, other_team):
    from seams.models import Seam
    from seams.services import create_seam
    from tests.factories import CalendarFactory

    priya = UserFactory()
    seam = create_seam(
        seam=Seam(
            name="Intake",
            slug="intake",
            from_team=team,
            to_team=other_team,
            calendar=CalendarFactory(),
        ),
        owner=priya,
        by=priya,
    )
    assert seam.spec.version == 1
    assert seam.spec.owner == priya
    assert seam.spec.versions.get().note == "Seam registered"
