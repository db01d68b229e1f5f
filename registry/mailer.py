"""Mail transports chosen by MAIL_URL: `file:///dir` (one .eml per message) or
`smtp://host:port` (`smtps://` for TLS; user:password@ in the URL if needed)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlparse

if TYPE_CHECKING:
    from registry.models import OutboxMessage

SENDER = "Khata Registry <no-reply@khata-registry.invalid>"


class Mailer(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


def build_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = SENDER
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at)
    email.set_content(message.body)
    return email


class FileMailer:
    """Writes each message to `<dir>/<outbox id>.eml`; sending twice overwrites the file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: OutboxMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{message.id:08d}.eml"
        partial = target.with_suffix(".tmp")
        partial.write_bytes(bytes(build_email(message)))
        partial.replace(target)


class SmtpMailer:
    def __init__(self, host: str, port: int, tls: bool, user: str | None, password: str | None):
        self.host, self.port, self.tls = host, port, tls
        self.user, self.password = user, password

    def send(self, message: OutboxMessage) -> None:
        """Hand the message to the server. Once the server has accepted it (after DATA),
        nothing that goes wrong while hanging up counts as a failure: that would send it
        again."""
        smtp_class = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        smtp = smtp_class(self.host, self.port, timeout=30)
        try:
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(build_email(message))
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def mailer_from_url(url: str) -> Mailer:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        path = unquote(parsed.netloc + parsed.path)
        return FileMailer(Path(path))
    if parsed.scheme in {"smtp", "smtps"}:
        tls = parsed.scheme == "smtps"
        return SmtpMailer(
            parsed.hostname or "127.0.0.1",
            parsed.port or (465 if tls else 25),
            tls,
            unquote(parsed.username) if parsed.username else None,
            unquote(parsed.password) if parsed.password else None,
        )
    raise ValueError(f"MAIL_URL must start with file:// or smtp://, got {url!r}")
