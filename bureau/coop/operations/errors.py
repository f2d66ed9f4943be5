"""Refusals a person can act on: each says which field is wrong and what to do."""

from __future__ import annotations


class CoopError(Exception):
    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class NotAMember(CoopError):
    pass


class AlreadyMember(CoopError):
    pass


class InvalidShares(CoopError):
    pass


class SharePaymentRefused(CoopError):
    """More than the shares due, another currency, or a person who is not joining."""


class CollegeClosed(CoopError):
    pass


class BallotNotOpen(CoopError):
    pass


class AlreadyVoted(CoopError):
    pass


class InvalidWeights(CoopError):
    pass


class InvalidPriceList(CoopError):
    pass


class NotOnBoard(CoopError):
    """Only the board (permission coop.manage_ballots) schedules, opens and closes ballots."""


class InvalidProposal(CoopError):
    pass


class UnknownPerson(CoopError):
    """No account uses the address given (field "email")."""
