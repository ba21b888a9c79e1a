import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

import store.tables  # noqa: F401
from store.db import make_engine
from store.migrate import upgrade


def _schema_diff(engine: Engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def test_migrated_schema_matches_the_tables(engine: Engine) -> None:
    assert _schema_diff(engine) == []


def test_schema_diff_notices_a_missing_index(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_tender_status"))

    assert _schema_diff(engine) != []


def test_upgrade_is_repeatable(fresh_database_url: str) -> None:
    upgrade(fresh_database_url)
    upgrade(fresh_database_url)

    engine = make_engine(fresh_database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            head = connection.execute(text("SELECT version_num FROM alembic_version"))
            assert head.scalar_one() == "0003"
    finally:
        engine.dispose()
    assert {"tender", "insurer_request", "quote", "outbox", "policy"} <= tables


def test_migrate_command_creates_the_sqlite_folder(tmp_path: Path) -> None:
    data_dir = tmp_path / "nested" / "var"
    environment = {**os.environ, "TENDER_DATA_DIR": str(data_dir)}
    environment.pop("TENDER_DATABASE_URL", None)

    subprocess.run(
        [sys.executable, "-m", "store.migrate"],
        env=environment,
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )

    engine = make_engine(f"sqlite:///{data_dir / 'tenders.db'}")
    try:
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()
