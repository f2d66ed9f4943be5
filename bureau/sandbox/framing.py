"""RFC 5734 framing: a 4-byte big-endian total length (header included), then the XML."""

from __future__ import annotations

import asyncio
import struct

HEADER = struct.Struct(">I")


class FrameTooLarge(Exception):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"frame of {size} bytes exceeds the {limit}-byte limit")
        self.size = size


class BadFrameLength(Exception):
    pass


async def read_frame(reader: asyncio.StreamReader, limit: int) -> bytes | None:
    """The next frame's payload, or None when the peer closed cleanly between frames."""
    try:
        header = await reader.readexactly(HEADER.size)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise
    (total,) = HEADER.unpack(header)
    if total <= HEADER.size:
        raise BadFrameLength(f"frame length {total} is too small")
    if total - HEADER.size > limit:
        raise FrameTooLarge(total - HEADER.size, limit)
    return await reader.readexactly(total - HEADER.size)


def encode_frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload) + HEADER.size) + payload
