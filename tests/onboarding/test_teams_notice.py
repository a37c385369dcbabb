"""The guided start's notice on the Teams page."""

from django.urls import reverse

from contracts.models import Contract
from onboarding import guide

URL = reverse("seams:teams")


def test_it_points_everyone_to_start_here_until_there_is_a_contract(viewer_client, leader):
    page = viewer_client.get(URL).content.decode()
    assert "no Team Execution Contract yet" in page
    assert "A leader begins with the guided start" in page
    guide.begin(by=leader)
    page = viewer_client.get(URL).content.decode()
    assert "guided start is at step 1 of 5, find your seams" in page
    Contract.objects.create(title="C", slug="c", scope="s", leader=leader)
    assert "no Team Execution Contract yet" not in viewer_client.get(URL).content.decode()
