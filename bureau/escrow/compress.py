"""Streaming compressors (gzip, bzip2, zip) writing into a binary sink."""

from __future__ import annotations

import bz2
import os
import struct
import time
import zipfile
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Protocol


class Compressor(Protocol):
    def write(self, data: bytes) -> None: ...
    def close(self) -> None: ...


# gzip header as zlib writes it for levels 2-8: no name, no mtime, OS 3 (Unix)
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
_WINDOW = 32 * 1024  # deflate's window: each block is primed with the data before it


def _deflate_block(data: bytes, before: bytes, level: int) -> bytes:
    # raw deflate, primed with the previous 32 KB so matches can reach back as in one stream;
    # the sync flush ends it on a byte boundary with no final-block bit, so blocks concatenate
    z = (zlib.compressobj(level, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, before)
         if before else zlib.compressobj(level, zlib.DEFLATED, -15))
    return z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH)


class _ParallelGzip:
    """One gzip member whose deflate blocks are compressed by several threads (as pigz does).

    zlib releases the GIL while it compresses, so the blocks run on separate cores; the output
    is a single standard gzip member at the same level (about 0.1% larger than one stream).
    Blocks in flight are bounded, so memory stays flat.
    """

    def __init__(self, sink: IO[bytes], level: int, workers: int) -> None:
        self.sink, self.level = sink, level
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="escrow-deflate")
        self.pending: deque[Future[bytes]] = deque()
        self.limit = 2 * workers
        self.crc = 0
        self.size = 0
        self.before = b""
        sink.write(_GZIP_HEADER)

    def write(self, data: bytes) -> None:
        if not data:
            return
        self.pending.append(self.pool.submit(_deflate_block, data, self.before, self.level))
        self.before = data[-_WINDOW:]
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        while len(self.pending) > self.limit:
            self.sink.write(self.pending.popleft().result())

    def close(self) -> None:
        try:
            while self.pending:
                self.sink.write(self.pending.popleft().result())
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
        # an empty final block (fixed Huffman, BFINAL set), then CRC-32 and size mod 2**32
        self.sink.write(b"\x03\x00" + struct.pack("<II", self.crc, self.size & 0xFFFFFFFF))


def _workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else os.cpu_count() or 1))


class _Bz2:
    def __init__(self, sink: IO[bytes], level: int) -> None:
        self.sink = sink
        self.z = bz2.BZ2Compressor(level)

    def write(self, data: bytes) -> None:
        out = self.z.compress(data)
        if out:
            self.sink.write(out)

    def close(self) -> None:
        self.sink.write(self.z.flush())


class _Zip:
    """One member per archive; zipfile streams to unseekable sinks with data descriptors.

    A plain zip (no ZIP64 fields): files are split at 1 GB of CSV, well under the 4 GB a plain
    zip holds (zipfile refuses to go past it rather than write a broken archive). The member
    carries the time it was written (UTC), not zipfile's default of 1980-01-01."""

    def __init__(self, sink: IO[bytes], member: str, level: int) -> None:
        self.archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED,
                                       compresslevel=level)
        info = zipfile.ZipInfo(member, date_time=time.gmtime()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        info._compresslevel = level  # type: ignore[attr-defined]  # not public before 3.13
        self.member = self.archive.open(info, "w")

    def write(self, data: bytes) -> None:
        self.member.write(data)

    def close(self) -> None:
        self.member.close()
        self.archive.close()


def open_compressor(
    kind: str, sink: IO[bytes], member: str, level: int | None = None
) -> Compressor:
    if kind == "gzip":
        return _ParallelGzip(sink, 6 if level is None else level, _workers())
    if kind == "bzip2":
        return _Bz2(sink, 9 if level is None else level)
    if kind == "zip":
        return _Zip(sink, member, 6 if level is None else level)
    raise ValueError(f"compression must be gzip, bzip2 or zip, not {kind!r}")


def open_decompressed(kind: str, path: str) -> IO[bytes]:
    """Open a compressed file for streaming reads of its (single) member."""
    import gzip

    if kind == "gzip":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if kind == "bzip2":
        return bz2.open(path, "rb")
    if kind == "zip":
        archive = zipfile.ZipFile(path)
        names = archive.namelist()
        if len(names) != 1:
            raise ValueError(f"{path}: a zip deposit file must hold exactly one member, "
                             f"found {len(names)}")
        return archive.open(names[0])
    raise ValueError(f"unknown compression {kind!r}")
