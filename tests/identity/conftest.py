import pytest

from tests.identity.scim_helpers import TOKEN, Directory


@pytest.fixture
def directory(db, settings):
    settings.SCIM_TOKEN = TOKEN
    return Directory()
