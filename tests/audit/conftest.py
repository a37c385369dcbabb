import pytest

from tests.audit.helpers import token_client


@pytest.fixture
def history(leader, owner, viewer, seam):
    """Through the API: a seam renamed by the leader, its spec saved by the owner, and a
    viewer refused."""
    renamed = token_client(leader).patch(
        f"/api/v1/seams/{seam.slug}/", {"name": "Intake"}, format="json"
    )
    saved = token_client(owner).patch(
        f"/api/v1/specs/{seam.slug}/",
        {"response_sla_hours": "8", "note": "Faster"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    refused = token_client(viewer).patch(
        f"/api/v1/teams/{seam.from_team.slug}/", {"name": "X"}, format="json"
    )
    assert (renamed.status_code, saved.status_code, refused.status_code) == (200, 200, 403)
    return seam
