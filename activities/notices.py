"""E-mail text of notifications, rendered when they enter the outbox.

One jinja2 template per NotificationKind in `templates/<kind>.txt`, with a
`subject` and a `body` block; `_footer.txt` is appended to every body.

Keys every template gets without the workflow sending them (the workflow's
context may override them):

- `tender_id`, `request_id` ("" when none), `recipient_role`
- `line_of_business` (German name of the Sparte), `trade`, `submitted_on`
  (dd.mm.yyyy), taken from the batch's tender snapshot
- `tender_link`: the tender in the web application (brokers and backoffice)

Keys the workflow must put in `Notification.context`, per kind, are in
`REQUIRED_CONTEXT`; mails to an insurer (`recipient_role` insurer) always also
need `access_link`, the insurer's personal link. Dates (`deadline`,
`valid_until`) are ISO 8601 strings; the templates print them German style.
Optional keys: `note` (insurer_invitation), `reason` (request_withdrawn,
tender_cancelled), `reason_text` (request_declined).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from temporalio.exceptions import ApplicationError

from models.actors import Role
from models.insurer import DeclineReason
from models.projection import Notification, NotificationKind, TenderSnapshot
from models.tender import LineOfBusiness

TEMPLATE_DIR = Path(__file__).parent / "templates"
GERMAN_TIME = ZoneInfo("Europe/Berlin")
ERROR_TYPE = "NoticeTemplateError"

Kind = NotificationKind
REQUIRED_CONTEXT: dict[NotificationKind, frozenset[str]] = {
    Kind.TENDER_CONFIRMATION: frozenset(),
    Kind.TENDER_UNCLAIMED: frozenset(),
    Kind.INSURER_INVITATION: frozenset({"insurer_name", "deadline", "access_link"}),
    Kind.INSURER_REMINDER: frozenset({"insurer_name", "deadline", "access_link"}),
    Kind.NEW_MESSAGE: frozenset(),
    Kind.QUOTE_RECEIVED: frozenset({"insurer_name"}),
    Kind.QUOTES_RELEASED: frozenset({"quotes_count"}),
    Kind.REQUEST_DECLINED: frozenset({"insurer_name", "reason"}),
    Kind.REQUEST_LAPSED: frozenset({"insurer_name"}),
    Kind.BROKER_ACTION_REMINDER: frozenset(),
    Kind.QUOTE_EXPIRY_WARNING: frozenset({"insurer_name", "valid_until"}),
    Kind.QUOTE_EXPIRED: frozenset({"insurer_name", "valid_until"}),
    Kind.NO_OFFER: frozenset(),
    Kind.QUOTE_ACCEPTED: frozenset({"insurer_name", "access_link"}),
    Kind.QUOTE_NOT_SELECTED: frozenset({"insurer_name", "access_link"}),
    Kind.REQUEST_WITHDRAWN: frozenset({"insurer_name", "access_link"}),
    Kind.TENDER_CANCELLED: frozenset(),
}

LINE_OF_BUSINESS_DE = {
    LineOfBusiness.BUSINESS_LIABILITY: "Betriebshaftpflichtversicherung",
    LineOfBusiness.CONTENTS: "Inhaltsversicherung",
    LineOfBusiness.BUILDINGS: "Gebäudeversicherung",
    LineOfBusiness.BUSINESS_INTERRUPTION: "Betriebsunterbrechungsversicherung",
    LineOfBusiness.MOTOR_FLEET: "Kfz-Flottenversicherung",
    LineOfBusiness.ELECTRONICS: "Elektronikversicherung",
    LineOfBusiness.CYBER: "Cyberversicherung",
    LineOfBusiness.D_AND_O: "D&O-Versicherung",
    LineOfBusiness.LEGAL_EXPENSES: "Firmenrechtsschutzversicherung",
    LineOfBusiness.TRANSPORT: "Transportversicherung",
}

DECLINE_REASONS_DE = {
    DeclineReason.OUTSIDE_GUIDELINES: "außerhalb der Annahmerichtlinien",
    DeclineReason.TRADE_NOT_WRITTEN: "Betriebsart wird nicht gezeichnet",
    DeclineReason.PRIOR_CLAIMS: "Vorschäden",
    DeclineReason.INSUFFICIENT_INFORMATION: "unzureichende Angaben",
    DeclineReason.NO_CAPACITY: "keine Kapazität",
    DeclineReason.PREMIUM_NOT_VIABLE: "kein auskömmlicher Beitrag möglich",
    DeclineReason.OTHER: "sonstiger Grund",
}


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    body: str


def date_de(value: str) -> str:
    """ISO date or datetime -> dd.mm.yyyy (datetimes in German local time)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(GERMAN_TIME)
    return moment.strftime("%d.%m.%Y")


def decline_reason_de(value: str) -> str:
    try:
        return DECLINE_REASONS_DE[DeclineReason(value)]
    except ValueError:
        return value


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["date_de"] = date_de
    env.filters["decline_reason_de"] = decline_reason_de
    return env


ENVIRONMENT = _environment()


def required_keys(notification: Notification) -> frozenset[str]:
    keys = REQUIRED_CONTEXT.get(notification.kind, frozenset())
    if notification.recipient_role is Role.INSURER:
        keys = keys | {"access_link"}
    return keys


def base_context(
    notification: Notification, tender: TenderSnapshot, public_base_url: str
) -> dict[str, str]:
    try:
        line = LINE_OF_BUSINESS_DE[LineOfBusiness(tender.line_of_business)]
    except ValueError:
        line = tender.line_of_business
    return {
        "tender_id": notification.tender_id,
        "request_id": notification.request_id or "",
        "recipient_role": notification.recipient_role.value,
        "line_of_business": line,
        "trade": tender.trade,
        "submitted_on": date_de(tender.submitted_at.isoformat()),
        "tender_link": f"{public_base_url.rstrip('/')}/tenders/{tender.tender_id}",
    }


def render_notice(
    notification: Notification, tender: TenderSnapshot, public_base_url: str
) -> RenderedNotice:
    """Render a notification's e-mail; a template problem is not retryable."""
    missing = sorted(required_keys(notification) - notification.context.keys())
    if missing:
        raise _error(notification, f"context lacks {', '.join(missing)}")

    context = base_context(notification, tender, public_base_url)
    context.update(notification.context)
    try:
        template = ENVIRONMENT.get_template(f"{notification.kind.value}.txt")
        subject = _render_block(template, "subject", context)
        body = _render_block(template, "body", context)
        footer = ENVIRONMENT.get_template("_footer.txt").render(context)
    except (jinja2.TemplateError, KeyError) as error:
        raise _error(notification, f"{type(error).__name__}: {error}") from error

    return RenderedNotice(
        subject=" ".join(subject.split()),
        body=f"{body.strip()}\n\n{footer.strip()}\n",
    )


def _render_block(template: jinja2.Template, name: str, context: dict) -> str:
    block = template.blocks[name]
    return "".join(block(template.new_context(context)))


def _error(notification: Notification, reason: str) -> ApplicationError:
    return ApplicationError(
        f"cannot render notice {notification.kind.value}: {reason}",
        {"notification_id": notification.notification_id},
        type=ERROR_TYPE,
        non_retryable=True,
    )


def template_kinds() -> set[str]:
    """Kinds that have a template file (tests check every kind has one)."""
    return {p.stem for p in TEMPLATE_DIR.glob("*.txt") if not p.stem.startswith("_")}
