"""Streaming compressors (gzip, bzip2, zip) writing into a binary sink."""

from __future__ import annotations

import bz2
import zipfile
import zlib
from typing import IO, Protocol


class Compressor(Protocol):
    def write(self, data: bytes) -> None: ...
    def close(self) -> None: ...


class _Zlib:
    def __init__(self, sink: IO[bytes], level: int) -> None:
        self.sink = sink
        self.z = zlib.compressobj(level, zlib.DEFLATED, 31)  # 31: gzip container

    def write(self, data: bytes) -> None:
        out = self.z.compress(data)
        if out:
            self.sink.write(out)

    def close(self) -> None:
        self.sink.write(self.z.flush())


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
    """One member per archive; zipfile streams to unseekable sinks with data descriptors."""

    def __init__(self, sink: IO[bytes], member: str, level: int) -> None:
        self.archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED,
                                       compresslevel=level)
        self.member = self.archive.open(member, "w", force_zip64=True)

    def write(self, data: bytes) -> None:
        self.member.write(data)

    def close(self) -> None:
        self.member.close()
        self.archive.close()


def open_compressor(
    kind: str, sink: IO[bytes], member: str, level: int | None = None
) -> Compressor:
    if kind == "gzip":
        return _Zlib(sink, 6 if level is None else level)
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
