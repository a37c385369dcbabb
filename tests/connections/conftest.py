import pytest


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """POST through the real URL and run what the outbox sends after commit (in-process
    without a broker, as the embedded default does)."""
    from tests.connections.senders import post

    def send(slug, body, headers, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(slug, body, headers, **kwargs)

    return send
