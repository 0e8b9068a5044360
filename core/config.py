"""Settings every domain shares: where data lives, which database, the bootstrap key."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class CoreSettings(BaseSettings):
    """Process-wide settings read from `BATON_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="BATON_", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str | None = None
    admin_key: str | None = None

    def resolved_database_url(self) -> str:
        """Return the configured database URL, or the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'baton.db').resolve()}"
