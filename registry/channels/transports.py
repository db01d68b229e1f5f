"""Channels chosen by URL: `file:///dir` writes one JSON file per message
(`{"to", "text", "template"?}`), `http(s)://...` posts it to a provider.

A file sink writes the message as queued (`template` is its kind). An HTTP provider is
sent what it needs (`registry.channels.templates`): for SMS the DLT entity and template
ids and whether the text is Unicode; for WhatsApp the approved template's name, language
and parameters. A 5xx, 408 or 429 answer (or no answer) is retried by the outbox; any
other 4xx is final: the row is marked failed with the provider's reason."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from registry.channels.segments import count_segments
from registry.channels.templates import Templates, whatsapp_parameters


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


class PermanentFailure(Exception):
    """Sending again cannot help (the provider rejected the message itself): the outbox
    marks the row failed with this reason instead of retrying."""


class ProviderRejected(PermanentFailure):
    """A 4xx answer other than 408 or 429."""


class TemplateMissing(ProviderRefused):
    """No template is configured for the kind: kept and retried, sent once one is set."""


#: 4xx answers that mean "later", not "never".
RETRYABLE_4XX = frozenset({408, 425, 429})


def provider_payload(name: str, message: TextMessage, templates: Templates) -> dict[str, Any]:
    """What the HTTP provider of channel `name` is sent for `message`."""
    kind = message.template
    if name == "sms":
        template_id = templates.dlt_template(kind)
        if not templates.dlt_entity_id or not template_id:
            raise TemplateMissing(
                f"no DLT template for SMS kind {kind!r}: "
                "set SMS_DLT_ENTITY_ID and SMS_DLT_TEMPLATES"
            )
        segments = count_segments(message.text)
        return {
            "to": message.to,
            "text": message.text,
            "unicode": segments.encoding == "UCS-2",
            "segments": segments.count,
            "dlt_entity_id": templates.dlt_entity_id,
            "dlt_template_id": template_id,
        }
    return {
        "to": message.to,
        "type": "template",
        "template": {
            "name": templates.whatsapp_template(kind),
            "language": templates.whatsapp_language,
            "parameters": whatsapp_parameters(message.text),
        },
        "text": message.text,
    }


class HttpChannel:
    """POSTs the message as JSON with an `Idempotency-Key` of channel and row id, so a
    provider that honours it sends a resend once. A token in the URL's user part
    (`https://TOKEN@host/path`) goes in an `Authorization: Bearer` header instead."""

    def __init__(
        self, name: str, url: str, timeout: float = 30, templates: Templates | None = None
    ) -> None:
        parsed = urlparse(url)
        self.name, self.timeout = name, timeout
        self.templates = templates or Templates()
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
            data=json.dumps(
                provider_payload(self.name, message, self.templates), ensure_ascii=False
            ).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            reason = exc.read(500).decode("utf-8", "replace").strip()
            said = f"{self.name} provider answered {exc.code}" + (f": {reason}" if reason else "")
            if 400 <= exc.code < 500 and exc.code not in RETRYABLE_4XX:
                raise ProviderRejected(said) from exc
            raise ProviderRefused(said) from exc
        if not 200 <= status < 300:
            raise ProviderRefused(f"{self.name} provider answered {status}")


def channel_from_url(name: str, url: str, templates: Templates | None = None) -> Channel:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return FileChannel(name, Path(unquote(parsed.netloc + parsed.path)))
    if parsed.scheme in {"http", "https"}:
        return HttpChannel(name, url, templates=templates)
    raise ValueError(f"{name.upper()}_URL must be file:///dir or http(s)://..., not {url!r}")
