"""Counting a ballot: pure functions over published data, checkable by hand.

One person, one vote: each published vote counts once, whatever the shares of whoever cast
it. Without weighting an option's score is its number of votes. With weighting by college
(SCIC statutes, art. 19 octies of the 1947 law), each college weighs its percentage: inside a
college an option gets ``votes for it / votes cast in the college``, times the college's
weight. A college where nobody voted has its weight shared among the others in proportion to
their weights (so the weights that count still sum to 100%). Abstentions count for turnout
and quorum but are not "expressed" votes: they are left out of the shares above.

The outcome: quorum reached when participants * 100 >= quorum_percent * electorate; an
option wins with a strict majority of the expressed score (more than half); otherwise no
option is adopted. Scores are exact fractions, so a test can state them by hand.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class PublishedVote:
    receipt: str
    option: int  # the option's position
    college: str


@dataclass(frozen=True)
class Tally:
    electorate: int
    participants: int
    quorum_reached: bool
    counts: dict[int, int]  # votes per option position
    counts_by_college: dict[str, dict[int, int]]
    scores: dict[int, Fraction]  # weighted (or plain) score of each expressed option
    winner: int | None  # option position with a strict majority, if quorum reached

    @property
    def turnout(self) -> Fraction:
        return Fraction(self.participants, self.electorate) if self.electorate else Fraction(0)

    def as_dict(self) -> dict[str, object]:
        return {
            "electorate": self.electorate, "participants": self.participants,
            "turnout": str(self.turnout), "quorum_reached": self.quorum_reached,
            "counts": {str(k): v for k, v in sorted(self.counts.items())},
            "counts_by_college": {c: {str(k): v for k, v in sorted(per.items())}
                                  for c, per in sorted(self.counts_by_college.items())},
            "scores": {str(k): str(v) for k, v in sorted(self.scores.items())},
            "winner": self.winner,
        }


def effective_weights(weights: Mapping[str, int | Fraction],
                      voting_colleges: Iterable[str]) -> dict[str, Fraction]:
    """Weights of the colleges that expressed votes, rescaled to sum to 1."""
    present = {c: Fraction(weights[c]) for c in voting_colleges if c in weights}
    total = sum(present.values(), Fraction(0))
    if not total:
        return {}
    return {c: w / total for c, w in present.items()}


def tally(votes: Sequence[PublishedVote], *, options: Sequence[int],
          electorate: Mapping[str, int], quorum_percent: int,
          weights: Mapping[str, int] | None = None,
          abstain: Iterable[int] = ()) -> Tally:
    """Count ``votes`` (option positions among ``options``) of an ``electorate`` given per
    college. ``weights`` (college -> percent) turns on weighting by college."""
    abstentions = set(abstain)
    known = set(options)
    counts = {o: 0 for o in options}
    by_college: dict[str, dict[int, int]] = {}
    for vote in votes:
        if vote.option not in known:
            raise ValueError(f"vote {vote.receipt} is for unknown option {vote.option}")
        counts[vote.option] += 1
        by_college.setdefault(vote.college, {o: 0 for o in options})[vote.option] += 1
    expressed = [o for o in options if o not in abstentions]
    if weights:
        expressed_by_college = {
            c: sum(per[o] for o in expressed) for c, per in by_college.items()}
        w = effective_weights(weights, [c for c, n in expressed_by_college.items() if n])
        scores = {o: sum((w[c] * Fraction(by_college[c][o], expressed_by_college[c])
                          for c in w), Fraction(0)) for o in expressed}
    else:
        scores = {o: Fraction(counts[o]) for o in expressed}
    total_electorate = sum(electorate.values())
    participants = len(votes)
    quorum_reached = participants * 100 >= quorum_percent * total_electorate and participants > 0
    total_score = sum(scores.values(), Fraction(0))
    winner = None
    if quorum_reached and total_score:
        best = max(expressed, key=lambda o: scores[o])
        if scores[best] * 2 > total_score:
            winner = best
    return Tally(electorate=total_electorate, participants=participants,
                 quorum_reached=quorum_reached, counts=counts, counts_by_college=by_college,
                 scores=scores, winner=winner)


def canonical_votes(votes: Iterable[PublishedVote]) -> list[dict[str, object]]:
    """The published list: sorted by receipt, so its order says nothing about who voted
    when."""
    return [{"receipt": v.receipt, "option": v.option, "college": v.college}
            for v in sorted(votes, key=lambda v: v.receipt)]


def commitment(votes: Iterable[PublishedVote]) -> str:
    """SHA-256 of the canonical JSON of the published list (published at closing): anyone
    can recompute it from the list, and a voter can find their receipt in it."""
    data = json.dumps(canonical_votes(votes), separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


def from_published(items: Iterable[Mapping[str, object]]) -> list[PublishedVote]:
    return [PublishedVote(receipt=str(i["receipt"]), option=int(str(i["option"])),
                          college=str(i["college"])) for i in items]
