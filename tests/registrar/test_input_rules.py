"""The input rules themselves: which characters a field that reaches a registry, PowerDNS or a
PDF refuses (bureau.core.validators), and one script per label for new names
(bureau.registrar.domains.names)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from bureau.core.validators import forbidden_character, printable_lines, printable_text
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.names import mixed_scripts, to_a_label, to_new_a_label


@pytest.mark.parametrize("char", [
    "\x00", "\x08", "\x0b", "\x0c", "\x1b", "\x1f",  # C0 but tab, LF, CR
    "\x7f",  # DEL
    "\x80", "\x85", "\x9f",  # C1
    "\ud800", "\udfff",  # lone surrogates
    "\ufffe", "\uffff", "\ufdd0", "\U0010ffff",  # non-characters
])
def test_control_characters_and_non_characters_are_refused_everywhere(char: str) -> None:
    assert forbidden_character(f"ab{char}c") == (3, char)
    assert forbidden_character(f"ab{char}c", multiline=True) == (3, char)
    with pytest.raises(ValidationError) as refused:
        printable_text(f"ab{char}c")
    assert f"U+{ord(char):04X}" in refused.value.messages[0]


@pytest.mark.parametrize("char", ["\t", "\n", "\r"])
def test_tab_and_line_breaks_only_in_fields_of_several_lines(char: str) -> None:
    with pytest.raises(ValidationError, match="one line"):
        printable_text(f"a{char}b")
    printable_lines(f"a{char}b")


@pytest.mark.parametrize("text", ["Camille Martin", "Île-de-France", "東京都", "Zürich 8001",
                                  "€ ½ — “quotes”", "\u00a0non-breaking", "emoji 🙂",
                                  "U+2028 is a separator, not a control: \u2028"])
def test_ordinary_text_in_any_script_passes(text: str) -> None:
    assert forbidden_character(text) is None


@pytest.mark.django_db
def test_stored_contacts_with_control_characters_are_read_unchanged(contact: Contact) -> None:
    """A contact stored before the rule keeps its data; only saving it asks for a fix."""
    Contact.objects.filter(pk=contact.pk).update(name="Old\x1bName", street="1 rue\x1c2")
    stored = Contact.objects.get(pk=contact.pk)
    assert stored.name == "Old\x1bName" and stored.street_lines == ["1 rue\x1c2"]
    with pytest.raises(ValidationError) as refused:
        stored.save()
    assert set(refused.value.message_dict) == {"name", "street"}
    assert Contact.objects.get(pk=contact.pk).name == "Old\x1bName"


@pytest.mark.parametrize("name", [
    "paypal.test", "café-1.test", "пример.рф", "exemple.рф", "ελληνικά.gr",
    "日本語ひらがなカタカナ.jp",  # Japanese: Han + Hiragana + Katakana, one table
    "ラーメン.jp",  # the prolonged sound mark belongs to Hiragana and Katakana
    "한국어漢字.kr",  # Korean: Hangul + Han
    "中国.test", "電腦.test", "电脑.test",  # Chinese variants (an RFC 9095 bundle)
    "l·l.cat",  # Catalan middle dot (IDNA CONTEXTO)
    "123-456.test",
])
def test_names_in_one_script_per_label_pass(name: str) -> None:
    assert to_new_a_label(name) == to_a_label(name)


@pytest.mark.parametrize(("name", "label", "scripts"), [
    ("p\u0430ypal.test", "p\u0430ypal", "Cyrillic, Latin"),
    ("\u0430pple-1.test", "\u0430pple-1", "Cyrillic, Latin"),
    ("a\u03ba.gr", "a\u03ba", "Greek, Latin"),
    ("exemple.p\u0430ypal.test", "p\u0430ypal", "Cyrillic, Latin"),
    ("한국ひら.test", "한국ひら", "Hangul, Hiragana"),
    ("abc日本.test", "abc日本", "Han, Latin"),
])
def test_mixed_scripts_are_refused_naming_the_label_and_the_scripts(
        name: str, label: str, scripts: str) -> None:
    to_a_label(name)  # valid IDNA2008 on its own: the script rule is on top
    with pytest.raises(ValidationError) as refused:
        to_new_a_label(name)
    message = refused.value.messages[0]
    assert f"“{label}”" in message and f"({scripts})" in message
    assert refused.value.code == "mixed_scripts"


def test_the_script_check_ignores_digits_hyphens_and_combining_marks() -> None:
    assert mixed_scripts("cafe\u0301-2") is None
    assert mixed_scripts("123") is None
    assert mixed_scripts("a\u0430") == ["Cyrillic", "Latin"]
