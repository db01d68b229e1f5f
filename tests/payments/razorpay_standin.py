"""A local stand-in for Razorpay's API (orders, payments, refunds) on 127.0.0.1, and the
signed webhooks Razorpay would send. The app talks to it through the official `razorpay`
library (`RAZORPAY_API_BASE`); a test decides what the buyer does (`pay`, `fail`)."""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from registry.payments.razorpay_gateway import sign_webhook

KEY_ID = "rzp_test_standin"
KEY_SECRET = "standin_secret"
WEBHOOK_SECRET = "standin_webhook_secret"


class RazorpayStandIn:
    def __init__(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.down = False
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                expected = base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()
                return self.headers.get("Authorization") == f"Basic {expected}"

            def _route(self, method: str) -> None:
                standin.requests.append(f"{method} {self.path}")
                if standin.down:
                    self._answer(500, {"error": {"code": "SERVER_ERROR", "description": "down"}})
                    return
                if not self._authorised():
                    self._answer(
                        401, {"error": {"code": "BAD_REQUEST_ERROR", "description": "auth"}}
                    )
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if length else {}
                url = urlsplit(self.path)
                with standin.lock:
                    status, answer = standin.handle(method, url.path, parse_qs(url.query), body)
                self._answer(status, answer)

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- the API ---------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        not_found = (400, {"error": {"code": "BAD_REQUEST_ERROR", "description": "not found"}})
        if method == "POST" and path == "/v1/orders":
            order_id = f"order_{secrets.token_hex(7)}"
            self.orders[order_id] = {
                "id": order_id,
                "entity": "order",
                "amount": body["amount"],
                "amount_paid": 0,
                "amount_due": body["amount"],
                "currency": body["currency"],
                "receipt": body.get("receipt"),
                "status": "created",
                "attempts": 0,
                "notes": body.get("notes", {}),
                "created_at": int(time.time()),
            }
            return 200, self.orders[order_id]
        if found := re.fullmatch(r"/v1/orders/([\w]+)", path):
            order = self.orders.get(found.group(1))
            return (200, order) if order else not_found
        if found := re.fullmatch(r"/v1/orders/([\w]+)/payments", path):
            items = [p for p in self.payments.values() if p["order_id"] == found.group(1)]
            return 200, {"entity": "collection", "count": len(items), "items": items}
        if method == "GET" and path == "/v1/payments":
            since = int(query.get("from", ["0"])[0])
            items = [p for p in self.payments.values() if p["created_at"] >= since]
            return 200, {"entity": "collection", "count": len(items), "items": items}
        if found := re.fullmatch(r"/v1/payments/([\w]+)", path):
            payment = self.payments.get(found.group(1))
            return (200, payment) if payment else not_found
        if method == "POST" and (found := re.fullmatch(r"/v1/payments/([\w]+)/refund", path)):
            payment = self.payments.get(found.group(1))
            if payment is None or payment["status"] != "captured":
                return 400, {
                    "error": {"code": "BAD_REQUEST_ERROR", "description": "not refundable"}
                }
            refund = self.refund(payment["id"])
            return 200, refund
        return not_found

    # -- what the buyer does ---------------------------------------------------------------

    def pay(self, order_id: str, amount: int | None = None) -> dict[str, Any]:
        with self.lock:
            order = self.orders[order_id]
            payment = self._payment(order, "captured", amount or order["amount"])
            order.update(status="paid", amount_paid=payment["amount"], amount_due=0)
            order["attempts"] += 1
            return payment

    def fail(self, order_id: str) -> dict[str, Any]:
        with self.lock:
            order = self.orders[order_id]
            order.update(status="attempted")
            order["attempts"] += 1
            return self._payment(order, "failed", order["amount"])

    def refund(self, payment_id: str) -> dict[str, Any]:
        payment = self.payments[payment_id]
        refund = {
            "id": f"rfnd_{secrets.token_hex(7)}",
            "entity": "refund",
            "payment_id": payment_id,
            "amount": payment["amount"],
            "currency": payment["currency"],
            "status": "processed",
            "created_at": int(time.time()),
        }
        payment.update(status="refunded", amount_refunded=payment["amount"])
        self.refunds[refund["id"]] = refund
        return refund

    def _payment(self, order: dict[str, Any], status: str, amount: int) -> dict[str, Any]:
        payment = {
            "id": f"pay_{secrets.token_hex(7)}",
            "entity": "payment",
            "amount": amount,
            "currency": order["currency"],
            "status": status,
            "order_id": order["id"],
            "method": "upi",
            "vpa": "buyer@okaxis",
            "captured": status == "captured",
            "error_description": "Payment was declined by the bank" if status == "failed" else None,
            "created_at": int(time.time()),
        }
        self.payments[payment["id"]] = payment
        return payment


def webhook(kind: str, **entities: dict[str, Any]) -> dict[str, Any]:
    """A webhook body as Razorpay sends it."""
    return {
        "entity": "event",
        "account_id": "acc_standin",
        "event": kind,
        "contains": list(entities),
        "payload": {name: {"entity": entity} for name, entity in entities.items()},
        "created_at": int(time.time()),
    }


def deliver_razorpay(
    client: Any, body: dict[str, Any], event_id: str | None = None, secret: str = WEBHOOK_SECRET
) -> Any:
    payload = json.dumps(body).encode()
    return client.post(
        "/webhooks/razorpay",
        data=payload,
        headers={
            "X-Razorpay-Signature": sign_webhook(payload, secret),
            "x-razorpay-event-id": event_id or f"evt_{secrets.token_hex(7)}",
        },
        content_type="application/json",
    )
