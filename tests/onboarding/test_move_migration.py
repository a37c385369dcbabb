"""The guided start's models moved from metrics to onboarding without moving their tables: a
database migrated before the move keeps its rows, their many-to-many links and their content
type (so the audit log's entries follow)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from onboarding.models import GuidedStart, Miss
from tests.factories import SeamFactory, UserFactory

BEFORE = [("metrics", "0005_guided_start")]
AFTER = [("onboarding", "0001_initial")]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return MigrationExecutor(connection)  # a fresh loader sees what is applied now


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_rows_links_and_content_type_of_a_guided_start_begun_before_the_move():
    leader, seam = UserFactory(username="boss"), SeamFactory()
    ContentType.objects.filter(app_label="onboarding", model__in=["guidedstart", "miss"]).delete()
    try:
        old = _migrate(BEFORE).loader.project_state(BEFORE).apps
        content_type = ContentType.objects.create(app_label="metrics", model="guidedstart")
        begun = old.get_model("metrics", "GuidedStart").objects.create(
            started_by_id=leader.pk, updated_by_id=leader.pk, top_seam_id=seam.pk
        )
        begun.seams.add(seam.pk)
        old.get_model("metrics", "Miss").objects.create(
            guided_start_id=begun.pk, summary="Late review", seam_id=seam.pk
        )
    finally:
        _migrate(AFTER)
        _migrate(None)  # and on to the latest, as the other tests expect
    guided = GuidedStart.objects.get()
    assert (guided.pk, guided.top_seam, list(guided.seams.all())) == (begun.pk, seam, [seam])
    assert list(guided.misses.values_list("summary", "seam")) == [("Late review", seam.pk)]
    assert Miss.objects.get().guided_start == guided
    content_type.refresh_from_db()
    assert content_type.app_label == "onboarding"
