"""Ingest files and folders: name sources, skip unchanged files cheaply, report bad ones."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge import records
from knowledge.drafts import Submission, submission
from knowledge.exceptions import DocumentTooLarge, IngestError
from knowledge.models import FileError, IngestReport, IngestResult

if TYPE_CHECKING:
    from knowledge.service import KnowledgeBase

_BATCH = 100


def source_for(path: Path, base: Path | None = None) -> str:
    """Name a file's source: its POSIX path relative to `base` (the cwd) when under it."""
    resolved = path.resolve()
    root = (base or Path.cwd()).resolve()
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return resolved.as_posix()


def collect_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Expand folders recursively (hidden entries skipped); return (files, missing paths)."""
    files: list[Path] = []
    missing: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(path)
    return list(dict.fromkeys(files)), missing


def ingest_paths(
    kb: KnowledgeBase, paths: list[Path], *, progress: bool = False, base: Path | None = None
) -> IngestReport:
    """Ingest every file under the paths; unchanged files cost a hash and a batched lookup."""
    from tqdm import tqdm

    files, missing = collect_files(paths)
    report = IngestReport(
        errors=[FileError(path=str(p), source=source_for(p, base), reason="no such file or folder")
                for p in missing]
    )  # fmt: skip
    bar = tqdm(total=len(files), unit="file", file=sys.stderr, disable=not progress)
    try:
        for batch in _batches(files):
            loaded = [_read(kb, path, base, report) for path in batch]
            present = [item for item in loaded if item is not None]
            stored = records.stored_versions(kb.engine, (sub.source for _p, sub in present))
            changed: list[tuple[Path, Submission]] = []
            for path, sub in present:
                known = stored.get(sub.source)
                if known is not None and known.content_hash == sub.digest:
                    report.results.append(IngestResult(
                        id=known.id, source=sub.source, title=known.title, version=known.version,
                        chunks=known.chunk_count, status="unchanged",
                    ))  # fmt: skip
                else:
                    changed.append((path, sub))
            outcomes = kb.ingest_many([sub for _p, sub in changed])
            for (path, sub), outcome in zip(changed, outcomes, strict=True):
                if isinstance(outcome, IngestError):
                    report.errors.append(
                        FileError(path=str(path), source=sub.source, reason=outcome.reason)
                    )
                else:
                    report.results.append(outcome)
            bar.update(len(batch))
    finally:
        bar.close()
    return report


def _batches(files: list[Path]) -> Iterator[list[Path]]:
    for start in range(0, len(files), _BATCH):
        yield files[start : start + _BATCH]


def _read(
    kb: KnowledgeBase, path: Path, base: Path | None, report: IngestReport
) -> tuple[Path, Submission] | None:
    source = source_for(path, base)
    try:
        size = path.stat().st_size
        if size > kb.settings.max_document_bytes:
            raise DocumentTooLarge(
                source, f"{size} bytes exceeds the limit of {kb.settings.max_document_bytes}"
            )
        return path, submission(path.read_bytes(), source=source, filename=path.name)
    except IngestError as exc:
        report.errors.append(FileError(path=str(path), source=source, reason=exc.reason))
    except OSError as exc:
        report.errors.append(
            FileError(path=str(path), source=source, reason=f"cannot read: {exc.strerror or exc}")
        )
    return None
