"""Signed webhooks to the broker platform, one event per outbox row.

Events follow Standard Webhooks: `webhook-id` is the notification id (the
receiver dedupes on it), `webhook-timestamp` the moment of sending, and
`webhook-signature` an HMAC over both and the body. The body carries ids and
the kind only; the receiver fetches details through the API.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks import Webhook

from core.settings import Settings
from store.tables import OutboxRecord

GONE = 410


class WebhookError(Exception):
    """An event was not accepted.

    `gone`: the receiver answered 410 and wants no more tries of this event.
    `unreachable`: no answer at all; later events would fare no better now.
    """

    def __init__(
        self, reason: str, *, gone: bool = False, unreachable: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.gone = gone
        self.unreachable = unreachable


def event_payload(row: OutboxRecord) -> dict[str, Any]:
    return {
        "type": f"tender.{row.kind}",
        "timestamp": _iso(row.created_at),
        "data": {
            "tender_id": row.tender_id,
            "request_id": row.request_id,
            "kind": row.kind,
        },
    }


def signed_request(
    webhook: Webhook, row: OutboxRecord, now: datetime
) -> tuple[bytes, dict[str, str]]:
    """Body and headers of the event; `now` becomes its webhook-timestamp."""
    body = json.dumps(event_payload(row), separators=(",", ":"), sort_keys=True)
    now = now.astimezone(UTC)
    headers = {
        "content-type": "application/json",
        "webhook-id": row.notification_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": webhook.sign(row.notification_id, now, body),
    }
    return body.encode(), headers


class WebhookTransport:
    """One HTTP client for a delivery run; `close()` when done."""

    def __init__(self, settings: Settings) -> None:
        self._url = settings.webhook_url
        self._webhook = Webhook(settings.webhook_secret.get_secret_value())
        self._client = httpx.AsyncClient(
            timeout=settings.webhook_timeout_seconds, follow_redirects=False
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def post(self, row: OutboxRecord) -> None:
        body, headers = signed_request(self._webhook, row, datetime.now(UTC))
        try:
            response = await self._client.post(self._url, content=body, headers=headers)
        except httpx.TransportError as error:
            reason = f"unreachable: {type(error).__name__}"
            raise WebhookError(reason, unreachable=True) from None

        if response.is_success:
            return
        reason = f"http {response.status_code}"
        raise WebhookError(reason, gone=response.status_code == GONE)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
