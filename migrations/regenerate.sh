#!/usr/bin/env bash
# Regenerate the initial migration from the models (only while nothing is deployed;
# after a release, add a new revision with `alembic revision --autogenerate` instead).
set -e
cd "$(dirname "$0")/.."
rm -f migrations/versions/*.py /tmp/mig.db
.venv/bin/python - <<'PY'
from alembic import command
from core.schema import alembic_config
cfg = alembic_config("sqlite:////tmp/mig.db")
command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
PY
# Custom column types render with their module path; the migration must import it.
sed -i 's/^import sqlmodel$/import sqlmodel\n\nimport handoff.models/' migrations/versions/0001_initial_schema.py
