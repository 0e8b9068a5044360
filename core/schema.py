"""Create or migrate the database schema."""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Every module that declares tables. Named as data so the shared kernel does not
# import the domains above it; the domains register their tables by being listed.
MODEL_MODULES = (
    "core.auth",
    "knowledge.models",
    "agent.models",
    "agent.policy",
    "agent.sites",
    "handoff.models",
)


def load_models() -> None:
    """Import every table module so SQLModel.metadata knows the whole schema."""
    for name in MODEL_MODULES:
        importlib.import_module(name)


def alembic_config(url: str) -> Config:
    """Build an Alembic config pointing at the project's migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def init_schema(engine: Engine) -> None:
    """Bring the database to the latest schema (Alembic when migrations exist)."""
    load_models()
    versions = MIGRATIONS_DIR / "versions"
    if versions.is_dir() and any(versions.glob("*.py")):
        cfg = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Several API workers start at once; only one may migrate at a time.
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(784512)")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    else:
        SQLModel.metadata.create_all(engine)
