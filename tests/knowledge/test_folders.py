"""Folder ingestion: source names, skipped hidden files, per-file errors, nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.config import KnowledgeSettings
from knowledge.folders import collect_files, source_for
from knowledge.service import open_knowledge_base
from tests.knowledge.conftest import make_services


def test_sources_are_cwd_relative_posix_paths_or_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = tmp_path / "work" / "demo" / "pricing.md"
    outside = tmp_path / "elsewhere" / "a.md"
    inside.parent.mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "work")
    assert source_for(inside) == "demo/pricing.md"
    assert source_for(outside) == outside.resolve().as_posix()
    assert source_for(outside, base=tmp_path) == "elsewhere/a.md"


def test_hidden_entries_are_skipped_and_missing_paths_reported(tmp_path: Path) -> None:
    (tmp_path / "kb" / ".git").mkdir(parents=True)
    (tmp_path / "kb" / ".git" / "config").write_text("x")
    (tmp_path / "kb" / ".DS_Store").write_bytes(b"\0\0")
    (tmp_path / "kb" / "a.md").write_text("# A")
    files, missing = collect_files([tmp_path / "kb", tmp_path / "kb" / "a.md", tmp_path / "no"])
    assert files == [tmp_path / "kb" / "a.md"]
    assert missing == [tmp_path / "no"]


def test_one_bad_file_never_stops_the_rest_and_nothing_indexed_is_lost(tmp_path: Path) -> None:
    services = make_services(tmp_path / "data")
    limits = KnowledgeSettings(max_document_bytes=300)
    kb = open_knowledge_base(services.settings, services.engine, knowledge_settings=limits)
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "good.md").write_text("# Good\n\nThe Falcon plan includes 5 seats.\n")
    (folder / "big.md").write_text("# Big\n\n" + "many words " * 100)
    report = kb.ingest_paths([folder], base=tmp_path)
    assert [r.source for r in report.results] == ["kb/good.md"]
    assert [(e.source, "exceeds the limit" in e.reason) for e in report.errors] == [
        ("kb/big.md", True)
    ]
    # A later broken version of an indexed file fails alone; the indexed version stays.
    (folder / "good.md").write_bytes(b"\xff\xfeA\x00B")
    report = kb.ingest_paths([folder], base=tmp_path)
    assert {e.source for e in report.errors} == {"kb/good.md", "kb/big.md"}
    assert kb.search("Falcon plan seats", k=1)[0].source == "kb/good.md"
