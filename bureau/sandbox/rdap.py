"""The sandbox registry's RDAP service: a thin answer for its domains, as a gTLD registry's
(RFC 9082/9083), whose `related` link points to the sponsoring registrar's RDAP base URL
(``rdap_url`` of the registrar account), and an RFC 9224 bootstrap file mapping the
sandbox's TLDs to this service, so that a generic client follows the chain offline.

    server = RdapServer(db_path, config, host="127.0.0.1", port=0).start()
    server.base_url          # http://127.0.0.1:PORT/
    server.bootstrap_url     # http://127.0.0.1:PORT/bootstrap/dns.json
    server.write_bootstrap(path)
    server.stop()

Plain HTTP on loopback: the sandbox is for tests and demos (RFC 7481's TLS is the
production server's job).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import idna

from bureau.sandbox import domainview, store
from bureau.sandbox.clock import Clock
from bureau.sandbox.policy import RegistryConfig

MEDIA_TYPE = "application/rdap+json"
CONFORMANCE = ["rdap_level_0", "icann_rdap_response_profile_1",
               "icann_rdap_technical_implementation_guide_1"]
# RFC 8056 section 2: EPP status -> RDAP status.
EPP_TO_RDAP = {
    "addPeriod": "add period", "autoRenewPeriod": "auto renew period",
    "clientDeleteProhibited": "client delete prohibited", "clientHold": "client hold",
    "clientRenewProhibited": "client renew prohibited",
    "clientTransferProhibited": "client transfer prohibited",
    "clientUpdateProhibited": "client update prohibited", "inactive": "inactive",
    "ok": "active", "pendingCreate": "pending create", "pendingDelete": "pending delete",
    "pendingRestore": "pending restore", "pendingTransfer": "pending transfer",
    "redemptionPeriod": "redemption period", "renewPeriod": "renew period",
    "serverDeleteProhibited": "server delete prohibited", "serverHold": "server hold",
    "serverRenewProhibited": "server renew prohibited",
    "serverTransferProhibited": "server transfer prohibited",
    "serverUpdateProhibited": "server update prohibited", "transferPeriod": "transfer period",
}  # fmt: skip


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _names(a_label: str) -> dict[str, str]:
    names = {"ldhName": a_label}
    try:
        u_label = idna.decode(a_label)
    except idna.IDNAError:
        return names
    if u_label != a_label:
        names["unicodeName"] = u_label
    return names


class RdapServer:
    """RDAP over HTTP for one sandbox file, in a background thread."""

    def __init__(self, db_path: Path, config: RegistryConfig, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.db_path = db_path
        self.config = config
        self._local = threading.local()
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self.host = str(host)
        self.port = int(self._httpd.server_address[1])
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def bootstrap_url(self) -> str:
        return self.base_url + "bootstrap/dns.json"

    def start(self) -> RdapServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="rdap-sandbox",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(10)

    def bootstrap(self) -> dict[str, Any]:
        """The RFC 9224 DNS bootstrap registry: every TLD of the sandbox -> this service."""
        return {"version": "1.0", "publication": _iso(int(datetime.now(UTC).timestamp())),
                "description": f"RDAP bootstrap file of {self.config.name}",
                "services": [[sorted(self.config.tlds), [self.base_url]]]}

    def write_bootstrap(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.bootstrap(), indent=1), encoding="utf-8")
        return path

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = store.connect(self.db_path)
        return conn

    def answer(self, path: str) -> tuple[int, dict[str, Any]]:
        """Status and JSON body for a request path."""
        path = unquote(urlsplit(path).path)
        if path == "/bootstrap/dns.json":
            return 200, self.bootstrap()
        if path == "/help":
            return 200, {"rdapConformance": CONFORMANCE, "notices": self._notices()}
        if path.startswith("/domain/"):
            return self._domain(path.removeprefix("/domain/"))
        if path.split("/")[1] in ("domains", "nameservers", "entities", "nameserver", "entity",
                                  "ip", "autnum"):
            return self._error(501, "Not Implemented",
                               "This registry answers domain lookups and /help only.")
        return self._error(400, "Bad Request", "Not an RDAP query.")

    def _notices(self) -> list[dict[str, Any]]:
        return [{"title": "Status Codes",
                 "description": ["For more information on domain status codes, please visit "
                                 "https://icann.org/epp"],
                 "links": [{"href": "https://icann.org/epp", "rel": "glossary",
                            "type": "text/html", "value": self.base_url + "help"}]}]

    def _error(self, code: int, title: str, description: str) -> tuple[int, dict[str, Any]]:
        return code, {"rdapConformance": CONFORMANCE, "errorCode": code, "title": title,
                      "description": [description], "notices": self._notices()}

    def _domain(self, raw: str) -> tuple[int, dict[str, Any]]:
        try:
            name = idna.encode(raw.rstrip(".").lower(), uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            return self._error(400, "Bad Request", f"{raw[:80]!r} is not a domain name: {exc}")
        if name.rsplit(".", 1)[-1] not in self.config.tlds:
            return self._error(404, "Not Found", f"This registry has no TLD for {name}.")
        conn = self._conn()
        row = conn.execute("SELECT * FROM domains WHERE name = ?", (name,)).fetchone()
        if row is None:
            row = conn.execute("SELECT d.* FROM bundle_members b JOIN domains d"
                               " ON d.id = b.domain_id WHERE b.name = ?", (name,)).fetchone()
        if row is None or row["state"] == "review":
            return self._error(404, "Not Found", f"{name} is not registered.")
        return 200, self._domain_body(conn, row, name)

    def _domain_body(self, conn: sqlite3.Connection, row: sqlite3.Row,
                     name: str) -> dict[str, Any]:
        now = Clock(conn).now()
        self_url = self.base_url + f"domain/{name}"
        epp = domainview.statuses(conn, row) + domainview.rgp_statuses(row, now)
        status = [rdap for value, rdap in EPP_TO_RDAP.items() if value in epp] or ["active"]
        links = [{"value": self_url, "rel": "self", "href": self_url, "type": MEDIA_TYPE}]
        registrar = conn.execute("SELECT rdap_url FROM registrars WHERE id = ?",
                                 (row["clid"],)).fetchone()
        rdap_url = registrar["rdap_url"] if registrar else None
        if rdap_url:
            base = rdap_url if rdap_url.endswith("/") else rdap_url + "/"
            links.append({"value": self_url, "rel": "related", "href": base + f"domain/{name}",
                          "type": MEDIA_TYPE})
        events = [{"eventAction": "registration", "eventDate": _iso(row["crdate"])},
                  {"eventAction": "expiration", "eventDate": _iso(row["exdate"])}]
        if row["updated"]:
            events.append({"eventAction": "last changed", "eventDate": _iso(row["updated"])})
        if row["trdate"]:
            events.append({"eventAction": "transfer", "eventDate": _iso(row["trdate"])})
        events.append({"eventAction": "last update of RDAP database", "eventDate": _iso(now)})
        secdns = domainview.secdns(row)
        ds = secdns.get("ds", []) if isinstance(secdns, dict) else []
        return {
            "rdapConformance": CONFORMANCE,
            "objectClassName": "domain",
            "handle": row["roid"],
            **_names(name),
            "status": status,
            "events": events,
            "links": links,
            "entities": [{"objectClassName": "entity", "handle": row["clid"],
                          "roles": ["registrar"],
                          "vcardArray": ["vcard", [["version", {}, "text", "4.0"],
                                                   ["fn", {}, "text", row["clid"]]]]}],
            "nameservers": [{"objectClassName": "nameserver", **_names(ns)}
                            for ns in domainview.ns_names(conn, row["id"])],
            "secureDNS": {"delegationSigned": bool(ds)},
            "notices": self._notices(),
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, body: bool) -> None:
                try:
                    status, payload = server.answer(self.path)
                except Exception as exc:  # an answer, never a dropped connection
                    status, payload = server._error(500, "Internal Server Error", str(exc))
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", MEDIA_TYPE)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                if body:
                    self.wfile.write(data)

            def do_GET(self) -> None:
                self._reply(body=True)

            def do_HEAD(self) -> None:
                self._reply(body=False)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
