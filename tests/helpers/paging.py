"""Real receivers for the paging channels: an SMTP server (aiosmtpd) on loopback, optionally with
STARTTLS (a self-signed certificate the client is told to trust) and AUTH; and escalation policy files."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.helpers.slack_bot import free_port

SMTP_USER, SMTP_PASSWORD = "agentops", "smtp-pass-0ab1c2"
ONCALL_GROUP = "S0MLONCALL"

POLICY = f"""
slack_groups:
  ml-oncall: {ONCALL_GROUP}
environments:
  default: production
  components:
    sandbox_model: sandbox
routes:
  - severity: critical
    environment: production
    steps:
      - after: 0m
        channel: slack
        mention: ["@ml-oncall"]
      - after: 15m
        channel: email
        to: [lead@example.com]
      - after: 30m
        channel: pagerduty
"""


def write_policy(directory: Path, text: str = POLICY) -> Path:
    path = directory / "escalation.yaml"
    path.write_text(text)
    return path


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login.decode(), auth_data.password.decode()) == (
            SMTP_USER, SMTP_PASSWORD)
        if ok:
            with self.lock:
                self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cryptography ships with the Snowflake connector)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "smtp.crt", directory / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@contextmanager
def smtp_server(tls_dir: Path | None = None) -> Iterator[Mailbox]:
    """aiosmtpd on loopback; with `tls_dir`, STARTTLS is required and so is AUTH (the certificate is written
    there: point SSL_CERT_FILE at `tls_dir / "smtp.crt"` so the client trusts it)."""
    mailbox = Mailbox("127.0.0.1", free_port())
    kwargs: dict = {}
    if tls_dir is not None:
        cert, key = _certificate(tls_dir)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        kwargs = dict(tls_context=context, require_starttls=True, auth_required=True,
                      authenticator=mailbox.authenticate)
    controller = Controller(mailbox, hostname=mailbox.host, port=mailbox.port, **kwargs)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
