"""E-mail of outbox rows over SMTP.

A message is built only from the row, so a resend is the same message with the
same Message-ID, and a receiver can drop the copy. Failures become `MailError`s
whose `reason` holds status codes only: SMTP replies often quote the recipient's
address, and the reason ends up in the outbox row and the logs.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from zoneinfo import ZoneInfo

import aiosmtplib

from core.settings import Settings
from store.tables import OutboxRecord

GERMAN_TIME = ZoneInfo("Europe/Berlin")
_ID_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_ENHANCED_STATUS = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")


class MailError(Exception):
    """A message was not accepted.

    `permanent`: the relay refused it for good (5xx to the recipient or the
    content); sending it again cannot help. `connection_lost`: nothing more can
    be sent on this connection.
    """

    def __init__(
        self, reason: str, *, permanent: bool = False, connection_lost: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.connection_lost = connection_lost


def sender_address(mail_from: str) -> str:
    return parseaddr(mail_from)[1]


def message_id(notification_id: str, mail_from: str) -> str:
    domain = sender_address(mail_from).rpartition("@")[2]
    if not _ID_SAFE.fullmatch(notification_id):
        raise ValueError("notification id is not usable in a Message-ID")
    return f"<{notification_id}@{domain}>"


def build_message(row: OutboxRecord, mail_from: str) -> EmailMessage:
    """Plain UTF-8 text from a no-reply sender, marked as sent by a machine."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = row.recipient_email
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at.astimezone(GERMAN_TIME))
    message["Message-ID"] = message_id(row.notification_id, mail_from)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["Content-Language"] = "de"
    message.set_content(row.body, charset="utf-8", cte="quoted-printable")
    return message


class MailTransport:
    """One SMTP connection for a delivery run."""

    def __init__(self, settings: Settings) -> None:
        secret = settings.smtp_password
        password = secret.get_secret_value() if secret else ""
        login = bool(settings.smtp_username and password)
        self._sender = sender_address(settings.mail_from)
        self._smtp = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username if login else None,
            password=password if login else None,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )

    async def connect(self) -> None:
        try:
            await self._smtp.connect()
        except aiosmtplib.SMTPAuthenticationError as error:
            reason = _reply("login refused", error)
            raise MailError(reason, connection_lost=True) from None
        except aiosmtplib.SMTPResponseException as error:
            reason = _reply("greeting refused", error)
            raise MailError(reason, connection_lost=True) from None
        except (aiosmtplib.SMTPException, OSError) as error:
            reason = _cause("connect failed", error)
            raise MailError(reason, connection_lost=True) from None

    async def close(self) -> None:
        if not self._smtp.is_connected:
            return
        try:
            await self._smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            self._smtp.close()

    @property
    def connected(self) -> bool:
        return self._smtp.is_connected

    async def send(self, message: EmailMessage, recipient: str) -> None:
        try:
            await self._smtp.send_message(
                message, sender=self._sender, recipients=[recipient]
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            refusal = error.recipients[0]
            raise MailError(
                _reply("recipient refused", refusal),
                permanent=_is_permanent(refusal.code),
                connection_lost=not self.connected,
            ) from None
        except aiosmtplib.SMTPDataError as error:
            raise MailError(
                _reply("message refused", error),
                permanent=_is_permanent(error.code),
                connection_lost=not self.connected,
            ) from None
        except aiosmtplib.SMTPSenderRefused as error:
            raise MailError(
                _reply("sender refused", error), connection_lost=not self.connected
            ) from None
        except aiosmtplib.SMTPResponseException as error:
            raise MailError(
                _reply("smtp error", error), connection_lost=not self.connected
            ) from None
        except aiosmtplib.SMTPNotSupported:
            raise MailError("address needs SMTPUTF8", permanent=True) from None
        except ValueError:
            raise MailError("address not sendable", permanent=True) from None
        except (aiosmtplib.SMTPException, OSError) as error:
            raise MailError(
                _cause("connection lost", error), connection_lost=True
            ) from None


def _is_permanent(code: int) -> bool:
    return 500 <= code < 600


def _reply(what: str, error: aiosmtplib.SMTPResponseException) -> str:
    enhanced = _ENHANCED_STATUS.match(error.message or "")
    suffix = f" {enhanced.group()}" if enhanced else ""
    return f"{what}: {error.code}{suffix}"


def _cause(what: str, error: BaseException) -> str:
    cause = error.__cause__ or error
    return f"{what}: {type(cause).__name__}"
