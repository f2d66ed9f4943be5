"""The poll queue (RFC 5730 section 2.9.2.3): messages stored pre-rendered, per registrar."""

from __future__ import annotations

import sqlite3

from lxml import etree

from bureau.sandbox.context import Ctx
from bureau.sandbox.errors import EppError
from bureau.sandbox.responses import MsgQ, Result
from bureau.sandbox.xmlio import Element, fromstring, tostring


def enqueue(conn: sqlite3.Connection, clid: str, now: int, msg: str,
            resdata: Element | None = None, extension: Element | None = None) -> None:
    conn.execute(
        "INSERT INTO poll (clid, qdate, msg, resdata, extension) VALUES (?, ?, ?, ?, ?)",
        (clid, now, msg, tostring(resdata) if resdata is not None else None,
         tostring(extension) if extension is not None else None),
    )


def _selected(ctx: Ctx, node: Element) -> bool:
    return ctx.wants(etree.QName(node).namespace or "")


def count(conn: sqlite3.Connection, clid: str) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM poll WHERE clid = ?", (clid,)).fetchone()[0])


def handle(ctx: Ctx, op: str, msg_id: str | None) -> Result:
    if op == "req":
        row = ctx.conn.execute(
            "SELECT id, qdate, msg, resdata, extension FROM poll WHERE clid = ?"
            " ORDER BY id LIMIT 1", (ctx.clid,)).fetchone()
        if row is None:
            return Result(1300)
        result = Result(1301, msgq=MsgQ(count(ctx.conn, ctx.clid), row["id"], row["qdate"],
                                        row["msg"]))
        # The queue is the registrar's, services are the session's: a message about an object
        # this session did not select still comes, with its id and text only (an extension
        # alone would describe data the client does not get).
        data = fromstring(row["resdata"]) if row["resdata"] else None
        ext = fromstring(row["extension"]) if row["extension"] else None
        if data is not None:
            if not _selected(ctx, data):
                return result
            result.resdata.append(data)
        if ext is not None and _selected(ctx, ext):
            result.extension.append(ext)
        return result
    if op == "ack":
        if not msg_id:
            raise EppError(2003, "poll op=ack needs msgID")
        if not msg_id.isdigit():
            raise EppError(2303, f"no message {msg_id!r} in your queue")
        deleted = ctx.conn.execute("DELETE FROM poll WHERE id = ? AND clid = ?",
                                   (msg_id, ctx.clid)).rowcount
        if not deleted:
            raise EppError(2303, f"no message {msg_id} in your queue")
        return Result(1000, msgq=MsgQ(count(ctx.conn, ctx.clid), int(msg_id)))
    raise EppError(2005, f"poll op must be req or ack, not {op!r}")
