"""SCIM compliance, checked by scim2-tester against the running server."""

from collections import Counter

import pytest
from django.test import override_settings
from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

TOKEN = "compliance-token-0123456789"
FAILED = {Status.ERROR, Status.CRITICAL}


@pytest.mark.django_db(transaction=True)
def test_it_passes_scim2_tester_for_users_and_groups(live_server):
    with override_settings(SCIM_TOKEN=TOKEN):
        http = Client(
            base_url=f"{live_server.url}/scim/v2",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30,
        )
        with http:
            results = check_server(SyncSCIMClient(http))

    counts = Counter(r.status.name for r in results)
    summary = "\n".join(
        [
            f"{len(results)} checks: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())),
            *(
                f"{r.status.name:10} {r.resource_type or '-':6} {r.title}: {r.reason or ''}"
                for r in results
            ),
        ]
    )
    failed = [r for r in results if r.status in FAILED]
    assert not failed, f"{len(failed)} of {len(results)} checks failed:\n{summary}"
    ran = {
        kind: [r for r in results if r.resource_type == kind and r.status != Status.SKIPPED]
        for kind in ("User", "Group")
    }
    assert ran["User"], summary
    assert ran["Group"], summary
    print(summary)
