"""IDN handling: U-label in, A-label on the wire, clear errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bureau.epp import IDNError, to_alabel, to_ulabel
from bureau.epp.idn import is_idn


@pytest.mark.parametrize(
    ("given_name", "alabel"),
    [
        ("Bücher.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("EXAMPLE.COM.", "example.com"),
        ("清华大学.cn", "xn--xkry9kk1bz66a.cn"),
        ("ｅｘａｍｐｌｅ．com", "example.com"),  # full-width letters and dot (UTS 46)
        ("faß.de", "xn--fa-hia.de"),  # IDNA2008: ß is kept, not mapped to ss
        ("例え。テスト", "xn--r8jz45g.xn--zckzah"),  # ideographic full stop
    ],
)
def test_to_alabel(given_name: str, alabel: str) -> None:
    assert to_alabel(given_name) == alabel


def test_to_ulabel_for_display() -> None:
    assert to_ulabel("xn--bcher-kva.example") == "bücher.example"
    assert to_ulabel("XN--XKRY9KK1BZ66A.cn") == "清华大学.cn"
    assert is_idn("bücher.example") and not is_idn("example.com")


@pytest.mark.parametrize(
    ("bad", "label", "why"),
    [
        ("a..example", "", "empty label"),
        ("-abc.example", "-abc", "letters, digits and hyphens"),
        ("ab--cd.example", "ab--cd", "3rd and 4th"),
        ("under_score.example", "under_score", "letters, digits and hyphens"),
        ("xn--zz.example", "xn--zz", "not a valid A-label"),
        ("😀.example", "😀", "not allowed"),
        ("a" * 64 + ".example", "a" * 64, "at most 63"),
    ],
)
def test_invalid_names_name_the_label_and_the_reason(bad: str, label: str, why: str) -> None:
    with pytest.raises(IDNError, match=why) as caught:
        to_alabel(bad)
    assert caught.value.label == label
    assert repr(label) in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_name_too_long_overall() -> None:
    with pytest.raises(IDNError, match="at most 253"):
        to_alabel(".".join(["a" * 63] * 4) + ".example")


def test_empty_name() -> None:
    with pytest.raises(IDNError, match="empty"):
        to_alabel("  ")


_LETTERS = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789éèàüößçñøåæ清华大学实例")


@given(st.lists(st.text(_LETTERS, min_size=1, max_size=12), min_size=1, max_size=3))
def test_alabel_ulabel_round_trip(labels: list[str]) -> None:
    name = ".".join(labels) + ".example"
    alabel = to_alabel(name)
    assert alabel.isascii() and alabel == alabel.lower()
    assert to_alabel(to_ulabel(alabel)) == alabel
    assert to_alabel(alabel) == alabel  # idempotent
