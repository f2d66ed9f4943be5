"""Connection settings of one registry account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bureau.epp.extensions.loginsec import UserAgent
from bureau.epp.namespaces import EXTENSIONS, OBJECTS
from bureau.epp.transport import DEFAULT_MAX_FRAME


@dataclass(frozen=True)
class ClientConfig:
    host: str
    port: int
    client_id: str
    password: str = field(repr=False)
    cafile: str | None = None
    certfile: str | None = None
    keyfile: str | None = None
    server_hostname: str | None = None
    timeout: float = 30.0
    new_password: str | None = field(default=None, repr=False)
    language: str = "en"
    # Idle seconds after which a hello proves the connection alive before the next command
    # (registries drop idle sessions after a few minutes).
    keepalive: float = 240.0
    cltrid_prefix: str = "BUR"
    max_frame: int = DEFAULT_MAX_FRAME
    # What this client can speak; login uses the part the server announced.
    obj_uris: Sequence[str] = OBJECTS
    ext_uris: Sequence[str] = EXTENSIONS
    # Sent at login when the server offers RFC 8807 login security; None: Bureau, Python, OS.
    user_agent: UserAgent | None = None

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"port {self.port} is not a TCP port (EPP uses 700)")
        if bool(self.certfile) != bool(self.keyfile) and self.keyfile:
            raise ValueError("keyfile given without certfile: registries need the certificate")
        if self.timeout <= 0:
            raise ValueError("timeout must be positive seconds")
