"""Production serves static files through a manifest: a template that names a missing file
fails there, never in development. This renders the main pages against a real manifest."""

import re

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.urls import reverse
from whitenoise.storage import CompressedManifestStaticFilesStorage


class UncompressedManifestStorage(CompressedManifestStaticFilesStorage):
    """Production's storage without its gzip and Brotli copies of every file: those take half
    a minute, and the manifest, which is what this is about, comes out the same."""

    def create_compressor(self, **kwargs):
        return super().create_compressor(**kwargs, use_gzip=False, use_brotli=False)


@pytest.fixture
def manifest_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": f"{__name__}.UncompressedManifestStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return tmp_path


@pytest.mark.django_db
def test_it_renders_pages_with_hashed_static_files_that_exist(manifest_storage, leader_client):
    pages = [
        leader_client.get(url).content.decode()
        for url in (reverse("login"), reverse("seams:teams"), reverse("identity:account"))
    ]
    names = {name for page in pages for name in re.findall(r'/static/([^"#]+)', page)}
    assert "css/seamline.css" not in names  # hashed, so browsers may cache it for ever
    assert any(re.fullmatch(r"css/seamline\.[0-9a-f]{12}\.css", n) for n in names)
    for name in names:
        assert (manifest_storage / name).is_file(), name
    assert staticfiles_storage.exists("img/icons.svg")
