"""Poll messages: what a poll response tells, gathered in one typed object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bureau.epp.errors import FrameError
from bureau.epp.extensions.changepoll import ChangeData
from bureau.epp.response import Response

POLL_MESSAGE = 1301
POLL_EMPTY = 1300


@dataclass(frozen=True)
class PollMessage:
    """One queued message: its id (to ack), text, remaining count, object data, change."""

    id: str
    count: int
    queued: datetime | None
    message: str | None
    data: Any = None
    change: ChangeData | None = None
    extensions: tuple[Any, ...] = ()

    @classmethod
    def from_response(cls, response: Response) -> PollMessage | None:
        """The message of a poll req response, or None when the queue is empty (1300)."""
        if response.code == POLL_EMPTY or response.msgq is None:
            return None
        if response.code != POLL_MESSAGE:
            raise FrameError(f"not a poll message response: code {response.code}")
        q = response.msgq
        return cls(
            id=q.id,
            count=q.count,
            queued=q.queued,
            message=q.message,
            data=response.data,
            change=response.extension(ChangeData),
            extensions=response.extensions,
        )
