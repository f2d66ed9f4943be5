"""IDN input as people type it: UTS #46 mapping first (the full stops of CJK keyboards
。．｡, full-width letters), IDNA2008 validation then, one script per label, and the reasons
in the person's language (never the idna library's English inside a French message), at the
portal, the API and the `bureau` command, against the sandbox registry."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from bureau.audit.operations import tokens
from bureau.audit.scopes import SCOPES
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.domains.models import Domain
from bureau.registrar.domains.names import to_a_label, to_new_a_label
from bureau.registrar.operations.common import Actor
from bureau.registrar.registries.models import Registry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["中國。测试", "中國．测试", "中國｡测试", "中國.测试。"])
def test_full_stops_of_other_scripts_are_dots(typed: str) -> None:
    assert to_a_label(typed) == to_a_label("中國.测试") == "xn--fiqz9s.xn--0zwm56d"


def test_full_width_letters_are_mapped() -> None:
    assert to_a_label("ＥＸＥＭＰＬＥ．ｔｅｓｔ") == "exemple.test"


@pytest.mark.parametrize(("typed", "english", "french"), [
    ("bad_name!.test", "the character _ (U+005F, character 4 of “bad_name!”)",
     "le caractère _ (U+005F, caractère 4 de « bad_name! »)"),
    ("-atelier.test", "starts or ends with a hyphen", "commence ou finit par un trait d’union"),
    ("ab--cd.test", "3rd and 4th characters", "3e et 4e positions"),
    ("atelier..test", "is empty", "est vide"),
    ("a" * 64 + ".test", "longer than 63 characters", "dépasse 63 caractères"),
])
def test_idna_refusals_are_explained_in_the_persons_language(
        typed: str, english: str, french: str | None) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        to_a_label(typed)
    assert english in refused.value.messages[0]
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        to_a_label(typed)
    message = refused.value.messages[0]
    for idna_english in ("Codepoint", "Label", "not allowed", "hyphen", "Empty"):
        assert idna_english not in message
    if french is not None:
        assert french in message


@pytest.mark.parametrize(("name", "ok"), [
    ("p\u0430ypal.test", False),  # Latin with a Cyrillic а
    ("日本語ひらがなカタカナ.jp", True),  # Han with Hiragana and Katakana
    ("한국어漢字.kr", True),  # Hangul with Han
    ("atelier2024.test", True),  # digits belong to no script
    ("中國2024。测试", True),
])
def test_one_script_per_label(name: str, ok: bool) -> None:
    if ok:
        to_new_a_label(name)
    else:
        with pytest.raises(ValidationError, match="mixes scripts"):
            to_new_a_label(name)


def test_every_door_takes_an_ideographic_full_stop(
        alice: User, org_a: Organisation, client_a: Client,
        sandbox_registry: Registry) -> None:
    page = client_a.get("/search/", {"q": "中國。测试"}).content.decode()
    body = page.split('id="results"', 1)[1].split("</table>", 1)[0]
    first = body.split("<tr>")[2]
    assert "中國.测试" in first and "中国.测试" in first  # the name and its variant, one row
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Bearer " + tokens.create_token(
        actor=Actor.console(alice), organisation=org_a, name="t", scopes=list(SCOPES)).secret)
    found = api.get("/api/v1/search/", {"q": "中國。测试"}).json()["results"]
    assert found[0]["u_label"] == "中國.测试"
    assert [b["u_label"] for b in found[0]["bundled_names"]] == ["中国.测试"]
    out = StringIO()
    call_command("domain", "check", "中國。测试", stdout=out)
    assert out.getvalue().startswith("中國.测试") and "中国.测试" in out.getvalue()


def test_a_french_page_has_no_english_idna_text(client_a: Client,
                                               sandbox_registry: Registry) -> None:
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client_a.get("/search/", {"q": "bad_name!.test"}).content.decode()
    assert "n’est pas permis dans un nom de domaine" in page
    assert "Codepoint" not in page and "not allowed" not in page


@pytest.mark.parametrize(("name", "ok"), [
    ("раураӏ.test", False),  # all Cyrillic, reads "paypal"
    ("соса.ngo", False),  # all Cyrillic, reads "coca"
    ("ορο.test", False),  # all Greek, reads "opo"
    ("рау-раӏ2.test", False),  # digits and hyphens change nothing
    ("пример.test", True),  # Cyrillic with letters of its own: not taken for Latin
    ("ора.рф", True),  # under a Cyrillic TLD, Cyrillic is what people expect
    ("中国.测试", True),
])
def test_a_label_passing_for_a_latin_one_is_refused(name: str, ok: bool) -> None:
    """Whole-script confusables (UTS #39): a label in one script whose every letter looks like
    a Latin one, under a TLD not written in its script."""
    if ok:
        to_new_a_label(name)
        return
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        to_new_a_label(name)
    assert "letters that all look like Latin ones" in refused.value.messages[0]
    with translation.override("fr"):
        with pytest.raises(ValidationError) as refused:
            to_new_a_label(name)
        french = refused.value.messages[0]
    assert "ressemblent à des lettres latines" in french
    assert "écriture cyrillique" in french or "écriture grecque" in french


@pytest.mark.parametrize(("typed", "french", "english"), [
    ("раураӏ.test", "« раураӏ » est en écriture cyrillique", "look like Latin ones"),
    ("p\u0430ypal.test", "mélange plusieurs écritures (cyrillique, latine)",
     "mixes scripts (Cyrillic, Latin)"),
])
def test_every_door_refuses_a_look_alike(alice: User, org_a: Organisation, client_a: Client,
                                         sandbox_registry: Registry, typed: str, french: str,
                                         english: str) -> None:
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client_a.get("/search/", {"q": typed}).content.decode()
    assert french in page
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION="Bearer " + tokens.create_token(
        actor=Actor.console(alice), organisation=org_a, name="t", scopes=list(SCOPES)).secret)
    response = api.get("/api/v1/search/", {"q": typed})
    assert response.status_code in (400, 422), response.content
    assert english in response.json()["detail"]
    with translation.override("en"), pytest.raises(CommandError, match=re.escape(english)):
        call_command("domain", "check", typed, stdout=StringIO())
    assert not Domain.objects.exists()
