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
            assert head.scalar_one() == "0001"
    finally:
        engine.dispose()
    assert {"tender", "insurer_request", "quote", "outbox", "policy"} <= tables
