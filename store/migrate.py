"""Apply the read-model migrations: `python -m store.migrate`.

The schema is made only here, never with `create_all` at run time.
"""

from __future__ import annotations

from pathlib import Path

import structlog
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL

from store.db import normalise_url

logger = structlog.get_logger()

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str | URL) -> Config:
    """An in-memory Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    rendered = normalise_url(url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(parsed), revision)
    logger.info(
        "read_model_migrated", backend=parsed.get_backend_name(), revision=revision
    )


def main() -> None:
    from core.settings import get_settings

    upgrade(get_settings().sqlalchemy_url)


if __name__ == "__main__":
    main()
