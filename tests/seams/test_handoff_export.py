import csv
import io

from django.urls import reverse

from seams.handoffs import submit_handoff


def test_the_export_holds_the_filtered_handoffs_escaped(viewer_client, seam, owner):
    submit_handoff(seam=seam, title='=HYPERLINK("http://evil")', by=owner)
    submit_handoff(seam=seam, title="Plain", by=owner)
    response = viewer_client.get(reverse("seams:handoff-export"), {"q": "hyperlink"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["title"] for r in rows] == ['\'=HYPERLINK("http://evil")']
    assert rows[0]["seam"] == seam.slug
    assert rows[0]["sla_hours"] == "16.00"


def test_the_export_reads_back_through_the_import(ops_client, seam, owner, tmp_path):
    from django.core.management import call_command

    from seams.models import Handoff

    submit_handoff(seam=seam, title="Round trip", by=owner)
    text = b"".join(ops_client.get(reverse("seams:handoff-export")).streaming_content)
    path = tmp_path / "export.csv"
    path.write_bytes(text)
    call_command("import_handoffs", str(path), "--source", "app", stdout=io.StringIO())
    assert Handoff.objects.count() == 1  # the same (source, external_id): updated, not copied
