"""Mail catcher of the local stack: `python -m core.mailcatcher`.

An SMTP server on `settings.smtp_host:smtp_port` that delivers nothing: each
mail it accepts is written as an .eml file into `settings.data_dir / "mail"`,
where any mail program opens it. It offers neither TLS nor login, so it is for
development only. Stops on SIGINT or SIGTERM with exit code 0; a port already
taken exits 1.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import uuid
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path

import structlog
from aiosmtpd.smtp import SMTP, Envelope, Session

from core.logging import configure_logging
from core.settings import Settings, get_settings

logger = structlog.get_logger("mailcatcher")

MAIL_FOLDER = "mail"
AIOSMTPD_LOGGER = "mail.log"  # logs every envelope address at INFO
ACCEPTED = "250 Message accepted for delivery"


class MailFolder:
    """aiosmtpd handler that stores each message as one file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        path = await asyncio.to_thread(self._write, raw)
        headers = BytesHeaderParser().parsebytes(raw)
        logger.info(
            "mail_caught",
            message_id=headers.get("Message-ID"),
            file=path.name,
            recipients=len(envelope.rcpt_tos),
            size=len(raw),
        )
        return ACCEPTED

    def _write(self, raw: bytes) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(raw)
        partial.replace(path)
        return path


async def serve(settings: Settings) -> int:
    folder = settings.data_dir / MAIL_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    handler = MailFolder(folder)
    loop = asyncio.get_running_loop()
    try:
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="localhost", enable_SMTPUTF8=True),
            host=settings.smtp_host,
            port=settings.smtp_port,
        )
    except OSError as error:
        logger.error(
            "mailcatcher_failed",
            host=settings.smtp_host,
            port=settings.smtp_port,
            error=type(error).__name__,
        )
        return 1

    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    logger.info(
        "mailcatcher_started",
        host=settings.smtp_host,
        port=settings.smtp_port,
        folder=str(folder),
    )

    await stop.wait()
    server.close()
    logger.info("mailcatcher_stopped")
    return 0


def main() -> int:
    settings = get_settings()
    configure_logging(settings, "mailcatcher")
    logging.getLogger(AIOSMTPD_LOGGER).setLevel(logging.WARNING)
    return asyncio.run(serve(settings))


if __name__ == "__main__":
    sys.exit(main())
