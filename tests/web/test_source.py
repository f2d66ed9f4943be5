"""AGPL §13: the licence is in the repository, and every page links to the running version's
source, which Bureau serves itself."""

from __future__ import annotations

import io
import tarfile
from importlib import metadata
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_the_licence_is_the_agpl_named_by_the_project() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "GNU AFFERO GENERAL PUBLIC LICENSE" in text and "Version 3" in text
    assert "13. Remote Network Interaction" in text
    assert 'license = "AGPL-3.0-or-later"' in (ROOT / "pyproject.toml").read_text()


@pytest.mark.parametrize(("language", "words"), [("fr", "Code source de cette version"),
                                                 ("en", "Source code of this version")])
def test_every_page_links_to_the_source_of_the_running_version(language: str,
                                                               words: str) -> None:
    client = Client(headers={"accept-language": language})
    page = client.get("/accounts/login/").content.decode()
    version = metadata.version("bureau")
    assert f"{words} ({version})" in page and 'href="/source/"' in page
    response = client.get("/source/")
    assert response.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(response.content)) as archive:
        names = archive.getnames()
        assert f"bureau-{version}/LICENSE" in names
        assert f"bureau-{version}/bureau/web/source.py" in names
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        served = archive.extractfile(f"bureau-{version}/bureau/web/source.py")
        assert served is not None
        assert served.read() == (ROOT / "bureau/web/source.py").read_bytes()


def test_the_link_may_point_at_a_public_repository(settings: object) -> None:
    settings.BUREAU_SOURCE_URL = "https://git.example.coop/bureau"  # type: ignore[attr-defined]
    page = Client().get("/accounts/login/").content.decode()
    assert 'href="https://git.example.coop/bureau"' in page
