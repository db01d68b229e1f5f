"""Channels chosen by URL: `file:///dir` writes one JSON file per message
(`{"to", "text", "template"?}`), `http(s)://...` posts it to a provider.

An SMS provider in India needs the DLT template id each text was registered under, and
WhatsApp business messages outside a conversation need an approved template name; both
travel as `template` and are sent to the provider as given."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse


@dataclass(frozen=True)
class TextMessage:
    id: int  # the outbox row: the file name, and the provider's idempotency key
    to: str  # E.164
    text: str
    template: str | None = None


class Channel(Protocol):
    name: str

    def send(self, message: TextMessage) -> None: ...


def payload(message: TextMessage) -> dict[str, str]:
    body = {"to": message.to, "text": message.text}
    if message.template:
        body["template"] = message.template
    return body


class FileChannel:
    """`<dir>/<id>.json`; sending twice overwrites the file, so a resend is one file."""

    def __init__(self, name: str, directory: Path) -> None:
        self.name, self.directory = name, directory

    def send(self, message: TextMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{message.id:08d}.json"
        partial = target.with_suffix(".tmp")
        partial.write_text(json.dumps(payload(message), ensure_ascii=False), encoding="utf-8")
        partial.replace(target)


class ProviderRefused(Exception):
    """The provider answered, but not with success: retried later like any failure."""


class HttpChannel:
    """POSTs the message as JSON with an `Idempotency-Key` of channel and row id, so a
    provider that honours it sends a resend once. A token in the URL's user part
    (`https://TOKEN@host/path`) goes in an `Authorization: Bearer` header instead."""

    def __init__(self, name: str, url: str, timeout: float = 30) -> None:
        parsed = urlparse(url)
        self.name, self.timeout = name, timeout
        self.token = unquote(parsed.username) if parsed.username else None
        netloc = parsed.hostname or ""
        if parsed.port:
            netloc = f"{netloc}:{parsed.port}"
        self.url = parsed._replace(netloc=netloc).geturl()

    def send(self, message: TextMessage) -> None:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": f"khata-{self.name}-{message.id}",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        # only http(s) reaches here: channel_from_url routes every other scheme elsewhere
        request = urllib.request.Request(  # noqa: S310
            self.url,
            data=json.dumps(payload(message), ensure_ascii=False).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise ProviderRefused(f"{self.name} provider answered {exc.code}") from exc
        if not 200 <= status < 300:
            raise ProviderRefused(f"{self.name} provider answered {status}")


def channel_from_url(name: str, url: str) -> Channel:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return FileChannel(name, Path(unquote(parsed.netloc + parsed.path)))
    if parsed.scheme in {"http", "https"}:
        return HttpChannel(name, url)
    raise ValueError(f"{name.upper()}_URL must be file:///dir or http(s)://..., not {url!r}")
