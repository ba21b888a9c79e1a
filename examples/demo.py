"""Play one tender from examples/tenders/ through the running service.

    python -m examples.demo [--mode self_service|backoffice] [--example NAME]

The broker starts the tender; one insurer declines with a reason, one asks a
question that the handler answers, two quote, a reminder fires for the insurer
that stays silent, and the broker accepts the cheaper quote.
"""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import typer

from core.settings import get_settings
from core.tokens import issue_token
from models.actors import Role

TENDERS = Path(__file__).parent / "tenders"
ORGANISATION = "wendl-partner"
INSURERS = {
    "alpina": ("Alpina Versicherung AG", "underwriting@alpina.example"),
    "hanseatic": ("Hanseatische Gewerbeversicherung", "gewerbe@hanseatic.example"),
    "rheinland": ("Rheinland Assekuranz", "firmen@rheinland-assekuranz.example"),
    "nordstern": ("Nordstern Versicherung", "komposit@nordstern.example"),
}
REMINDER_AFTER = "PT20S"


class Demo:
    def __init__(self, api: str, mode: str) -> None:
        settings = get_settings()
        self.http = httpx.Client(base_url=api, timeout=30)
        self.mode = mode
        self.ui = f"http://127.0.0.1:{settings.temporal_ui_port}"

        def token(role: Role, sub: str, **claims: Any) -> dict[str, str]:
            jwt = issue_token(settings, sub=sub, role=role, **claims)
            return {"Authorization": f"Bearer {jwt}"}

        self.admin = token(Role.ADMIN, "platform-admin")
        self.broker = token(
            Role.BROKER, "markus.wendl", org=ORGANISATION, name="M. Wendl"
        )
        self.agent = token(
            Role.BACKOFFICE, "bo.lena", orgs=[ORGANISATION], name="Lena (BO)"
        )
        self.insurer = {
            insurer_id: token(Role.INSURER, f"uw.{insurer_id}", insurer_id=insurer_id)
            for insurer_id in INSURERS
        }

    @property
    def handler(self) -> dict[str, str]:
        """Who runs the tender: the broker, or the backoffice agent."""
        return self.broker if self.mode == "SELF_SERVICE" else self.agent

    def call(self, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
        if method != "GET":
            headers = {**headers, "Idempotency-Key": str(uuid.uuid4())}
        response = self.http.request(method, path, headers=headers, **kw)
        if response.is_error:
            raise SystemExit(
                f"{method} {path} -> {response.status_code}: {response.text}"
            )
        return response.json() if response.content else None

    def step(self, text: str) -> None:
        typer.echo(f"  \u2713 {text}")

    def run(self, example: Path) -> None:
        typer.echo(f"Tender from {example.name}, mode {self.mode}")
        self.call(
            "PUT",
            f"/admin/policies/{ORGANISATION}",
            self.admin,
            json={
                "value": self.mode,
                "backoffice_email": "backoffice@wendl-partner.example",
                "timings": {
                    "response_period": "PT10M",
                    "reminder_after": [REMINDER_AFTER],
                },
            },
        )
        self.step(f"admin set the policy of {ORGANISATION} to {self.mode}")

        body = example.read_text(encoding="utf-8")
        tender = self.call(
            "POST",
            "/tenders",
            {**self.broker, "Content-Type": "application/json"},
            content=body,
        )
        tender_id = tender["tender_id"]
        self.step(f"broker started tender {tender_id} ({tender['status']})")

        if self.mode == "BACKOFFICE":
            self.call("POST", f"/tenders/{tender_id}/claim", self.agent)
            self.step("backoffice agent claimed the tender")

        invites = [
            {"insurer_id": key, "insurer_name": name, "contact_email": email}
            for key, (name, email) in INSURERS.items()
        ]
        self.call(
            "POST",
            f"/tenders/{tender_id}/insurers",
            self.handler,
            json={"insurers": invites},
        )
        self.step(f"{len(invites)} insurers invited, each by e-mail with its own link")

        requests = {key: self._request_of(key, tender_id) for key in INSURERS}
        self.call(
            "POST",
            f"/insurer/requests/{requests['hanseatic']}/decline",
            self.insurer["hanseatic"],
            json={
                "reason_code": "OUTSIDE_GUIDELINES",
                "text": "Umsatzgröße außerhalb unserer Zeichnungsrichtlinien.",
            },
        )
        self.step("Hanseatische declined: OUTSIDE_GUIDELINES")

        self.call(
            "POST",
            f"/insurer/requests/{requests['rheinland']}/messages",
            self.insurer["rheinland"],
            json={"text": "Gibt es für die Filialen ein einheitliches Hygienekonzept?"},
        )
        self.step("Rheinland asked a question (its deadline pauses)")
        self.call(
            "POST",
            f"/tenders/{tender_id}/messages",
            self.handler,
            json={
                "request_id": requests["rheinland"],
                "text": "Ja, ein HACCP-Konzept für alle Filialen, jährlich auditiert.",
            },
        )
        self.step("the question was answered")

        for key, gross in (("alpina", "7480.00"), ("rheinland", "6925.50")):
            net = (Decimal(gross) / Decimal("1.19")).quantize(Decimal("0.01"))
            self.call(
                "POST",
                f"/insurer/requests/{requests[key]}/quote",
                self.insurer[key],
                json={
                    "tariff": f"{INSURERS[key][0].split()[0]} Gewerbe Premium",
                    "net_annual_premium_eur": str(net),
                    "gross_annual_premium_eur": gross,
                    "deductible_eur": "500",
                    "insurer_reference": f"{key.upper()}-{tender_id[:8]}",
                },
            )
            self.step(f"{INSURERS[key][0]} quoted {gross} EUR gross a year")

        self._wait_for_reminder(tender_id)
        self.step("a reminder went to Nordstern, which has not answered")

        if self.mode == "BACKOFFICE":
            self.call(
                "POST", f"/tenders/{tender_id}/quotes/release", self.agent, json={}
            )
            self.step("backoffice released the quotes to the broker")

        detail = self.call("GET", f"/tenders/{tender_id}", self.broker)
        cheapest = min(
            detail["quotes"], key=lambda q: Decimal(q["gross_annual_premium_eur"])
        )
        self.call(
            "POST",
            f"/tenders/{tender_id}/quotes/{cheapest['quote_id']}/accept",
            self.broker,
        )
        final = self.call("GET", f"/tenders/{tender_id}", self.broker)
        self.step(
            f"broker accepted {cheapest['insurer_name']} "
            f"({cheapest['gross_annual_premium_eur']} EUR): "
            f"tender {final['tender']['status']}"
        )
        typer.echo(
            f"History: {self.ui}/namespaces/default/workflows/tender-{tender_id}"
        )

    def _request_of(self, insurer_id: str, tender_id: str) -> str:
        listed = self.call("GET", "/insurer/requests", self.insurer[insurer_id])
        for item in listed:
            if item["tender_id"] == tender_id:
                return item["request_id"]
        raise SystemExit(f"{insurer_id} has no request for tender {tender_id}")

    def _wait_for_reminder(self, tender_id: str, timeout: float = 120.0) -> None:
        typer.echo(f"  \u2026 waiting for the reminder timer ({REMINDER_AFTER})")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mails = self.call("GET", f"/tenders/{tender_id}/emails", self.handler)
            if any(m["kind"] == "insurer_reminder" for m in mails):
                return
            time.sleep(1)
        raise SystemExit("no reminder arrived in time; is the worker running?")


def main(
    mode: str = typer.Option("self_service", help="self_service or backoffice"),
    example: str = typer.Option("baeckerei-betriebshaftpflicht"),
    api: str = typer.Option("", help="API base URL; defaults to the settings"),
) -> None:
    settings = get_settings()
    base = api or f"http://127.0.0.1:{settings.api_port}"
    Demo(base, mode.upper()).run(TENDERS / f"{example}.json")


if __name__ == "__main__":
    typer.run(main)
