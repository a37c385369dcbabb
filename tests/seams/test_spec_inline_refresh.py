"""After an inline save, the header follows: the version badge and the "compare with" link."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from seams.models import HandoffSpec
from tests.factories import write_spec

pytestmark = pytest.mark.django_db


def section_url(seam, section):
    return reverse("seams:spec-section-edit", args=[seam.slug, section])


def save_notes(client, seam, text, base):
    return client.post(
        section_url(seam, "notes"),
        {"notes": text, "base_version": base, "note": f"Notes: {text}"},
        HTTP_HX_REQUEST="true",
    )


def compare_link(seam, old, new):
    return f'href="/seams/{seam.slug}/spec/compare/?a={old}&amp;b={new}">Compare with v{old}</a>'


def test_the_saved_answer_swaps_the_compare_link_and_badge_out_of_band(owner_client, seam):
    response = save_notes(owner_client, seam, "Architects welcome", 1)
    page = response.content.decode()
    assert response["HX-Trigger"] == '{"specSaved": {"version": 2}}'
    assert '<div class="page-actions" id="spec-actions" hx-swap-oob="true">' in page
    assert compare_link(seam, 1, 2) in page
    assert ">v2</span> edited by Owen Owner" in page

    page = save_notes(owner_client, seam, "Bring the CRM link", 2).content.decode()
    assert compare_link(seam, 2, 3) in page
    assert "Compare with v1" not in page
    assert ">v3</span> edited by Owen Owner" in page
    assert HandoffSpec.objects.get(seam=seam).version == 3


def test_the_first_version_offers_no_comparison_and_the_second_does(owner_client, seam, owner):
    page = owner_client.get(reverse("seams:spec", args=[seam.slug])).content.decode()
    assert 'id="spec-actions"' in page
    assert "Compare with" not in page  # v1 has nothing before it
    page = save_notes(owner_client, seam, "First note", 1).content.decode()
    assert compare_link(seam, 1, 2) in page


def test_the_page_after_a_plain_save_shows_the_new_link_too(owner_client, seam, owner):
    write_spec(seam, by=owner, note="v2")
    response = owner_client.post(
        section_url(seam, "notes"), {"notes": "x", "base_version": 2, "note": "v3"}
    )
    assert response.status_code == 302
    page = owner_client.get(response["Location"]).content.decode()
    assert compare_link(seam, 2, 3) in page
    assert "Saved as version 3." in page


def test_a_viewer_sees_the_link_but_no_edit_buttons_and_ids_never_repeat(
    viewer_client, owner_client, seam, owner
):
    write_spec(seam, by=owner, note="v2")
    page = viewer_client.get(reverse("seams:spec", args=[seam.slug])).content.decode()
    assert compare_link(seam, 1, 2) in page
    assert "Edit whole spec" not in page
    # The owner's page with the SLA section open in place: no id twice.
    page = owner_client.get(reverse("seams:spec", args=[seam.slug])).content.decode()
    form = owner_client.get(section_url(seam, "sla"), HTTP_HX_REQUEST="true").content.decode()
    page = re.sub(
        r'<section class="spec-section" id="section-sla".*?</section>', form, page, flags=re.S
    )
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    assert ids["sla-example"] == 1
