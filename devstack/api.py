"""Serve the API with the stack's log format: ``python -m devstack.api``.

uvicorn is told not to configure logging, so its access and error lines go through
``core.logging`` like everything else.
"""

from __future__ import annotations

import uvicorn

from api.app import create_app
from core.logging import configure_logging
from core.settings import get_settings


def main() -> None:
    settings = get_settings()
    configure_logging(settings, "api")
    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,
        log_level=settings.log_level.lower(),
    )


if __name__ == "__main__":
    main()
