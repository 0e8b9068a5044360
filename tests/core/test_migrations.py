"""The Alembic migrations build exactly the schema the SQLModel tables declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from core.db import get_engine
from core.schema import MIGRATIONS_DIR, init_schema, load_models


def test_migrations_exist() -> None:
    assert list((MIGRATIONS_DIR / "versions").glob("*.py")), "no Alembic migration found"


def test_upgrade_matches_the_models(database_url: str) -> None:
    engine = get_engine(database_url)
    init_schema(engine)
    init_schema(engine)  # a second start-up finds nothing to do
    load_models()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        tables = set(inspect(conn).get_table_names())
    assert diff == [], f"models and migrations disagree; run a new autogenerate: {diff}"
    assert {"documents", "chunks", "conversations", "messages", "handoffs"} <= tables
    assert "alembic_version" in tables
