"""Storage: versions, idempotence, deletion and crash consistency, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from api.app import Services
from core.db import get_engine
from knowledge import records
from knowledge.config import KnowledgeSettings
from knowledge.service import KnowledgeBase, open_knowledge_base

V1 = "# Plans\n\n## Alpha plan\nThe Alpha plan costs 11 euros and includes the Kestrel module.\n"
V2 = "# Plans\n\n## Beta plan\nThe Beta plan costs 22 euros and includes the Osprey module.\n"


def _vector_ids(kb: KnowledgeBase) -> set[str]:
    return set(kb.store.written_at())


def _sql_ids(kb: KnowledgeBase) -> set[str]:
    return records.current_chunk_ids(kb.engine)


def test_reingesting_unchanged_content_does_nothing(kb: KnowledgeBase) -> None:
    first = kb.ingest_bytes(V1.encode(), source="plans.md", content_type="text/markdown")
    again = kb.ingest_bytes(V1.encode(), source="plans.md", content_type="text/markdown")
    assert first.status == "created" and first.version == 1 and first.chunks >= 1
    assert again.status == "unchanged"
    assert (again.id, again.version, again.chunks) == (first.id, 1, first.chunks)
    assert kb.document_count() == 1
    assert _vector_ids(kb) == _sql_ids(kb)


def test_changed_content_bumps_version_and_replaces_chunks(kb: KnowledgeBase) -> None:
    first = kb.ingest_bytes(V1.encode(), source="plans.md", content_type="text/markdown")
    second = kb.ingest_bytes(V2.encode(), source="plans.md", content_type="text/markdown")
    assert second.status == "updated" and second.id == first.id and second.version == 2
    assert all("-v2-" in i for i in _sql_ids(kb))
    assert _vector_ids(kb) == _sql_ids(kb)
    texts = " ".join(h.text for h in kb.search("Kestrel module Alpha", k=5))
    assert "Kestrel" not in texts
    assert "Osprey" in kb.search("Osprey module", k=1)[0].text
    detail = kb.get_document(first.id)
    assert detail is not None and detail.version == 2 and detail.text == V2


def test_new_tags_alone_make_a_new_version(kb: KnowledgeBase) -> None:
    kb.ingest_bytes(V1.encode(), source="plans.md", content_type="text/markdown")
    tagged = kb.ingest_bytes(V1.encode(), source="plans.md", content_type="text/markdown",
                             tags=["pricing"])  # fmt: skip
    assert tagged.status == "updated" and tagged.version == 2
    assert kb.search("Alpha plan", k=1, tags=["pricing"])[0].source == "plans.md"


def test_delete_removes_every_chunk(kb: KnowledgeBase) -> None:
    doc = kb.ingest_bytes(V1.encode(), source="plans.md", content_type="text/markdown")
    kb.ingest_bytes(V2.encode(), source="other.md", content_type="text/markdown")
    assert kb.delete_document(doc.id) is True
    assert kb.get_document(doc.id) is None
    assert not any(i.startswith(doc.id) for i in _vector_ids(kb))
    assert _vector_ids(kb) == _sql_ids(kb)
    assert all(h.document_id != doc.id for h in kb.search("Alpha plan Kestrel", k=5))
    assert kb.delete_document(doc.id) is False


def test_failed_sql_commit_keeps_the_old_version_searchable(
    kb_services: Services, kb: KnowledgeBase
) -> None:
    kb.ingest_bytes(V1.encode(), source="plans.md", content_type="text/markdown")

    def fail_in_commit(stage: str) -> None:
        if stage == "sql_pending":
            raise RuntimeError("database went away mid-commit")

    failing = open_knowledge_base(kb_services.settings, kb_services.engine,
                                  stage_hook=fail_in_commit)  # fmt: skip
    with pytest.raises(RuntimeError, match="mid-commit"):
        failing.ingest_bytes(V2.encode(), source="plans.md", content_type="text/markdown")
    doc = kb.find_document("plans.md")
    assert doc is not None and doc.version == 1 and doc.text == V1
    assert "Kestrel" in kb.search("Alpha plan Kestrel", k=1)[0].text
    assert _vector_ids(kb) == _sql_ids(kb)


def test_reconcile_restores_vectors_missing_from_the_store(kb: KnowledgeBase) -> None:
    kb.ingest_bytes(V1.encode(), source="plans.md", content_type="text/markdown")
    ids = sorted(_sql_ids(kb))
    kb.store.delete_ids(ids)
    report = kb.reconcile()
    assert report.restored == len(ids) and report.removed == 0
    assert _vector_ids(kb) == set(ids)


_CRASHING_INGEST = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from core.config import CoreSettings
    from core.db import get_engine
    from core.schema import init_schema
    from knowledge.service import open_knowledge_base

    data_dir, url, stage, v1, v2 = sys.argv[1:6]
    settings = CoreSettings(data_dir=Path(data_dir), database_url=url)
    engine = get_engine(url)
    init_schema(engine)
    armed = False

    def crash(reached: str) -> None:
        if armed and reached == stage:
            os._exit(17)  # die like a killed process: no cleanup, no rollback handlers

    kb = open_knowledge_base(settings, engine, stage_hook=crash)
    kb.ingest_bytes(v1.encode(), source="plans.md", content_type="text/markdown")
    armed = True
    kb.ingest_bytes(v2.encode(), source="plans.md", content_type="text/markdown")
    sys.exit(3)  # the crash point was never reached
    """
)


def test_crash_between_vector_write_and_sql_commit(database_url: str, tmp_path: Path) -> None:
    _crash_and_recover(database_url, tmp_path, "vectors_written")


def test_crash_between_sql_commit_and_old_vector_removal(tmp_path: Path) -> None:
    # SQLite only: this stage's SQL side is already covered on both databases above.
    _crash_and_recover(f"sqlite:///{tmp_path / 'baton.db'}", tmp_path, "sql_committed")


def _crash_and_recover(url: str, tmp_path: Path, stage: str) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-c", _CRASHING_INGEST, str(data_dir), url, stage, V1, V2],
        cwd=repo, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert proc.returncode == 17, proc.stderr[-2000:]

    from tests.knowledge.conftest import make_services

    services = make_services(data_dir, url)
    # Opened as a server would be: its startup reconcile spares young orphans (they could
    # belong to an ingest still running elsewhere), so search must ignore them by itself.
    kb = open_knowledge_base(services.settings, get_engine(url))
    doc = kb.find_document("plans.md")
    assert doc is not None
    expected_version, present, absent = (
        (1, "Kestrel", "Osprey") if stage == "vectors_written" else (2, "Osprey", "Kestrel")
    )
    assert doc.version == expected_version
    assert _vector_ids(kb) > _sql_ids(kb)  # the crash left orphan vectors behind
    for query in ("Osprey module Beta plan", "Kestrel module Alpha plan"):
        for hit in kb.search(query, k=10):
            assert f"-v{expected_version}-" in hit.chunk_id
            assert absent not in hit.text
    assert present in kb.search(f"{present} module", k=1)[0].text

    report = kb.reconcile(grace_seconds=0)
    assert report.removed > 0
    assert _vector_ids(kb) == _sql_ids(kb)
    again = open_knowledge_base(
        services.settings, get_engine(url), knowledge_settings=KnowledgeSettings()
    )
    assert again.reconcile(grace_seconds=0).removed == 0
    services.engine.dispose()


def test_concurrent_writers_of_one_source_both_land_and_stay_consistent(kb: KnowledgeBase) -> None:
    from concurrent.futures import ThreadPoolExecutor

    kb.ingest_bytes(V1.encode(), source="plans.md", content_type="text/markdown")
    texts = [V2, V2.replace("Osprey", "Harrier")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(
            lambda t: kb.ingest_bytes(t.encode(), source="plans.md", content_type="text/markdown"),
            texts,
        ))  # fmt: skip
    assert sorted(r.version for r in results) == [2, 3]
    assert {r.status for r in results} == {"updated"}
    doc = kb.find_document("plans.md")
    assert doc is not None and doc.version == 3
    assert _vector_ids(kb) == _sql_ids(kb)
    assert all("-v3-" in i for i in _sql_ids(kb))
