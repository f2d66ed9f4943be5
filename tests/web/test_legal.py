"""The legal and help pages: public, linked from every page's footer, with the operator's
settings in them, in French and English."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from .conftest import english_client

pytestmark = [pytest.mark.django_db]

PAGES = ["/legal/", "/legal/terms/", "/legal/privacy/", "/legal/cooperative/", "/contact/",
         "/help/"]


def test_every_legal_page_is_public_and_linked_from_the_footer() -> None:
    home = english_client().get("/").content.decode()
    footer = home.split('class="site-footer"', 1)[1]
    for url in PAGES:
        assert f'href="{url}"' in footer
        assert english_client().get(url).status_code == 200, url


@override_settings(BUREAU_COOP_NAME="Nom Coop SCIC", BUREAU_LEGAL_PUBLISHER="Dominique Durand",
                   BUREAU_LEGAL_HOST="Hébergeur Exemple, 2 rue du Serveur, Paris",
                   BUREAU_LEGAL_ESCROW_AGENT="Dépositaire Exemple",
                   BUREAU_LEGAL_REGISTRATION_RETENTION_YEARS="3",
                   BUREAU_LEGAL_STATUTES_URL="https://example.org/statuts.pdf")
def test_the_operators_settings_fill_the_pages() -> None:
    client = english_client()
    notice = client.get("/legal/").content.decode()
    assert "Nom Coop SCIC" in notice and "Dominique Durand" in notice
    assert "Hébergeur Exemple" in notice
    privacy = client.get("/legal/privacy/").content.decode()
    recipients = privacy.split('id="recipients"', 1)[1].split("</ul>", 1)[0]
    assert "registry" in recipients and "Dépositaire Exemple" in recipients
    assert "then 3 years" in privacy.split('id="retention"', 1)[1]
    assert 'href="https://example.org/statuts.pdf"' in client.get(
        "/legal/cooperative/").content.decode()


def test_pages_in_french() -> None:
    page = Client().get("/legal/privacy/").content.decode()  # French is the default
    assert "Politique de confidentialité" in page and "Privacy notice" not in page
