"""The tally as a pure function, against counts worked out by hand in the comments.

Colleges: E (employees), C (customers), K (contributors). Options: 1 For, 2 Against,
3 Abstention."""

from __future__ import annotations

from fractions import Fraction

import pytest

from bureau.coop.tally import PublishedVote, canonical_votes, commitment, from_published, tally

pytestmark = [pytest.mark.sqlite]

FOR, AGAINST, ABSTAIN = 1, 2, 3
OPTIONS = [FOR, AGAINST, ABSTAIN]


def votes(*spec: tuple[str, int]) -> list[PublishedVote]:
    return [PublishedVote(receipt=f"r{i:02d}", option=o, college=c)
            for i, (c, o) in enumerate(spec)]


# E: for, for | C: against x4 | K: for       (7 votes, 10 members: E 2, C 6, K 2)
SEVEN = votes(("E", FOR), ("E", FOR), ("C", AGAINST), ("C", AGAINST), ("C", AGAINST),
              ("C", AGAINST), ("K", FOR))
ELECTORATE = {"E": 2, "C": 6, "K": 2}
WEIGHTS = {"E": 30, "C": 40, "K": 30}


def test_one_person_one_vote_unweighted() -> None:
    # For 3, Against 4: 4 > 7/2, Against wins. Turnout 7/10 >= 50 %.
    result = tally(SEVEN, options=OPTIONS, electorate=ELECTORATE, quorum_percent=50,
                   abstain=[ABSTAIN])
    assert result.counts == {FOR: 3, AGAINST: 4, ABSTAIN: 0}
    assert result.scores == {FOR: 3, AGAINST: 4}
    assert result.turnout == Fraction(7, 10)
    assert result.quorum_reached and result.winner == AGAINST


def test_weighted_by_college_can_differ_from_the_head_count() -> None:
    # For  = 30 % * 2/2 + 40 % * 0/4 + 30 % * 1/1 = 0.6
    # Against = 30 % * 0 + 40 % * 4/4 + 30 % * 0  = 0.4   -> For wins
    result = tally(SEVEN, options=OPTIONS, electorate=ELECTORATE, quorum_percent=50,
                   weights=WEIGHTS, abstain=[ABSTAIN])
    assert result.scores == {FOR: Fraction(3, 5), AGAINST: Fraction(2, 5)}
    assert result.winner == FOR
    assert result.counts_by_college == {"E": {1: 2, 2: 0, 3: 0}, "C": {1: 0, 2: 4, 3: 0},
                                        "K": {1: 1, 2: 0, 3: 0}}


def test_quorum_not_reached_means_no_winner() -> None:
    # 7 of 20 members = 35 % < 50 %.
    result = tally(SEVEN, options=OPTIONS, electorate={"E": 4, "C": 12, "K": 4},
                   quorum_percent=50, weights=WEIGHTS, abstain=[ABSTAIN])
    assert not result.quorum_reached
    assert result.winner is None
    assert result.scores[FOR] == Fraction(3, 5)  # still counted and published


def test_quorum_exactly_reached() -> None:
    # 7 of 14 = 50 %: reached (>=).
    result = tally(SEVEN, options=OPTIONS, electorate={"E": 2, "C": 10, "K": 2},
                   quorum_percent=50, abstain=[ABSTAIN])
    assert result.quorum_reached


def test_college_without_votes_gives_its_weight_to_the_others() -> None:
    # Only E (30) and C (40) voted: weights become 3/7 and 4/7.
    # E: 1 for; C: 1 against -> For 3/7, Against 4/7.
    result = tally(votes(("E", FOR), ("C", AGAINST)), options=OPTIONS, electorate=ELECTORATE,
                   quorum_percent=0, weights=WEIGHTS, abstain=[ABSTAIN])
    assert result.scores == {FOR: Fraction(3, 7), AGAINST: Fraction(4, 7)}
    assert result.winner == AGAINST


def test_abstentions_count_for_turnout_not_for_the_majority() -> None:
    # For 2, Against 1, Abstention 3: 6 participants, For has 2 of 3 expressed.
    spec = [("C", FOR), ("C", FOR), ("C", AGAINST)] + [("C", ABSTAIN)] * 3
    result = tally(votes(*spec), options=OPTIONS, electorate={"C": 10}, quorum_percent=60,
                   abstain=[ABSTAIN])
    assert result.participants == 6 and result.quorum_reached
    assert result.winner == FOR


def test_a_tie_adopts_nothing() -> None:
    result = tally(votes(("C", FOR), ("C", AGAINST)), options=OPTIONS, electorate={"C": 2},
                   quorum_percent=50, abstain=[ABSTAIN])
    assert result.winner is None


def test_unknown_option_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown option"):
        tally(votes(("C", 9)), options=OPTIONS, electorate={"C": 1}, quorum_percent=0)


def test_commitment_is_independent_of_order_and_detects_changes() -> None:
    assert commitment(SEVEN) == commitment(list(reversed(SEVEN)))
    published = canonical_votes(SEVEN)
    assert from_published(published) == sorted(SEVEN, key=lambda v: v.receipt)
    changed = [*SEVEN[:-1], PublishedVote("r06", AGAINST, "K")]
    assert commitment(changed) != commitment(SEVEN)
