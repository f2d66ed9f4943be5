"""Throwaway certificates: a sandbox CA, a server certificate, one client cert per registrar.

Written once into a folder and reused; the server requires a client certificate signed by this
CA, and its subject common name must be the registrar's clID.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class CertPaths:
    ca_file: Path
    server_cert: Path
    server_key: Path
    clients: dict[str, tuple[Path, Path]]  # clID -> (cert, key)


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bureau sandbox"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)


def _issue(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Certificate | None,
           issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool = False,
           server: bool = False) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer.subject if issuer else _name(subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        # Long validity: the sandbox clock may be moved years ahead, TLS uses real time anyway.
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                          content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False), critical=True)
    elif server:
        builder = builder.add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ]), critical=False).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    else:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def ensure_certificates(folder: Path, registrars: list[str]) -> CertPaths:
    """Create what is missing in `folder` (CA, server, a client per registrar); reuse the rest."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_file, ca_key_file = folder / "ca.pem", folder / "ca.key"
    if ca_file.exists() and ca_key_file.exists():
        ca_cert = x509.load_pem_x509_certificate(ca_file.read_bytes())
        loaded = serialization.load_pem_private_key(ca_key_file.read_bytes(), password=None)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey)
        ca_key = loaded
    else:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = _issue("Bureau sandbox CA", ca_key, None, ca_key, ca=True)
        _write_key(ca_key, ca_key_file)
        ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))

    def leaf(stem: str, subject: str, server: bool) -> tuple[Path, Path]:
        cert_file, key_file = folder / f"{stem}.pem", folder / f"{stem}.key"
        if not (cert_file.exists() and key_file.exists()):
            key = ec.generate_private_key(ec.SECP256R1())
            cert = _issue(subject, key, ca_cert, ca_key, server=server)
            _write_key(key, key_file)
            cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cert_file, key_file

    server_cert, server_key = leaf("server", "localhost", True)
    clients = {clid: leaf(f"client-{clid}", clid, False) for clid in registrars}
    return CertPaths(ca_file, server_cert, server_key, clients)
