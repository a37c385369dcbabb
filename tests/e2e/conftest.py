"""Every browser journey also checks the Content-Security-Policy: a style or script the page's
policy refuses (an inline style attribute swapped in by htmx, say) fails the journey that met
it, whatever else it was testing."""

import pytest

REPORT = """
document.addEventListener('securitypolicyviolation', (event) => window.__seamlineCsp(
  `${event.violatedDirective} refused ${event.blockedURI || 'inline'} on ${location.pathname}`
  + (event.sample ? `: ${event.sample}` : '')));
"""


@pytest.fixture(autouse=True)
def _no_content_security_policy_violations(request):
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    refused: list[str] = []
    # Bound to the browser context, so it outlives each navigation; installed before any of
    # the page's own scripts run.
    page.expose_binding("__seamlineCsp", lambda source, text: refused.append(text))
    page.add_init_script(REPORT)
    yield
    assert not refused, "Content-Security-Policy violations:\n" + "\n".join(refused)
