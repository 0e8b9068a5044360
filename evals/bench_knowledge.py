"""`python -m evals.bench_knowledge`: ingestion throughput, unchanged re-ingest, search latency.

Measures on this machine and prints a table; it never passes or fails. Writes the
figures to `evals/results/bench_knowledge.json`.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from knowledge.embeddings import load_minilm
from knowledge.service import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "evals" / "results" / "bench_knowledge.json"
CORPUS_BYTES = 5 * 1024 * 1024
UNCHANGED_DOCS = 1000
SEARCH_CHUNKS = 10_000
SEARCHES = 300


def open_kb(data_dir: Path) -> KnowledgeBase:
    """Open a knowledge base on a fresh SQLite data directory."""
    from api.app import Services
    from core.config import CoreSettings

    return Services(CoreSettings(data_dir=data_dir)).knowledge


def _vocabulary() -> list[str]:
    words: set[str] = set()
    for path in (ROOT / "demo").rglob("*"):
        if path.is_file():
            words.update(
                w.strip(".,:;()[]\"'`*#<>/") for w in path.read_text(errors="ignore").split()
            )
    return sorted(w for w in words if w.isalpha() and 2 < len(w) < 14)


def write_corpus(folder: Path, *, docs: int, doc_bytes: int, seed: int) -> int:
    """Write generated Markdown documents with headings, paragraphs and lists; return bytes."""
    rng = random.Random(seed)
    vocab = _vocabulary()
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(docs):
        parts = [f"# {rng.choice(vocab).title()} {rng.choice(vocab)} guide {seed}-{i}\n"]
        size = len(parts[0])
        section = 0
        while size < doc_bytes:
            section += 1
            block = [f"\n## Section {section}: {' '.join(rng.choices(vocab, k=3))}\n"]
            for _ in range(rng.randint(1, 3)):
                sentence_count = rng.randint(3, 6)
                sentences = [
                    " ".join(rng.choices(vocab, k=rng.randint(8, 16))).capitalize() + "."
                    for _ in range(sentence_count)
                ]
                block.append("\n" + " ".join(sentences) + "\n")
            if rng.random() < 0.3:
                block.append("\n" + "".join(f"- {' '.join(rng.choices(vocab, k=5))}\n"
                                            for _ in range(4)))  # fmt: skip
            text = "".join(block)
            parts.append(text)
            size += len(text)
        data = "".join(parts).encode()
        (folder / f"doc-{seed}-{i:05d}.md").write_bytes(data)
        total += len(data)
    return total


def time_ingest(kb: KnowledgeBase, folder: Path, base: Path) -> dict[str, Any]:
    """Ingest a folder and return its throughput."""
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    started = time.perf_counter()
    report = kb.ingest_paths([folder], base=base)
    seconds = time.perf_counter() - started
    chunks = sum(r.chunks for r in report.results if r.status != "unchanged")
    return {
        "documents": len(report.results), "errors": len(report.errors), "chunks": chunks,
        "megabytes": round(size / 1e6, 3), "seconds": round(seconds, 2),
        "chunks_per_s": round(chunks / seconds, 1), "mb_per_s": round(size / 1e6 / seconds, 3),
    }  # fmt: skip


def time_searches(kb: KnowledgeBase, queries: list[str]) -> dict[str, Any]:
    """Return warm search latency percentiles in milliseconds."""
    for q in queries[:20]:  # warm the lexical index, the model and Chroma's caches
        kb.search(q, 5)
    timings = []
    for q in queries:
        started = time.perf_counter()
        kb.search(q, 5)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "searches": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        "max_ms": round(timings[-1], 2),
    }


def main() -> int:
    """Run every knowledge benchmark and print the table."""
    from evals.retrieval import load_set

    load_minilm().embed_query("warm up")  # model load is start-up cost, not ingestion
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="baton-bench-") as tmp:
        work = Path(tmp)
        kb = open_kb(work / "demo-data")
        figures["ingest_demo"] = time_ingest(kb, ROOT / "demo", ROOT)
        print("demo ingested", figures["ingest_demo"], flush=True)

        kb = open_kb(work / "big-data")
        corpus = work / "corpus"
        per_doc = CORPUS_BYTES // UNCHANGED_DOCS
        write_corpus(corpus, docs=UNCHANGED_DOCS, doc_bytes=per_doc, seed=1)
        figures["ingest_5mb"] = time_ingest(kb, corpus, work)
        print("5 MB corpus ingested", figures["ingest_5mb"], flush=True)

        started = time.perf_counter()
        report = kb.ingest_paths([corpus], base=work)
        figures["reingest_unchanged"] = {
            "documents": report.count("unchanged"),
            "seconds": round(time.perf_counter() - started, 3),
        }
        print("unchanged re-ingest", figures["reingest_unchanged"], flush=True)

        chunks = figures["ingest_5mb"]["chunks"]
        if chunks < SEARCH_CHUNKS:
            extra_docs = int((SEARCH_CHUNKS - chunks) / max(chunks / UNCHANGED_DOCS, 1)) + 1
            write_corpus(work / "more", docs=extra_docs, doc_bytes=per_doc, seed=2)
            kb.ingest_paths([work / "more"], base=work)
        total_chunks = kb.store.count()
        questions = [q["query"] for q in load_set()]
        rng = random.Random(3)
        vocab = _vocabulary()
        queries = [*questions, *(" ".join(rng.choices(vocab, k=4)) for _ in range(SEARCHES))]
        queries = queries[:SEARCHES]
        figures["search"] = {"chunks": total_chunks, **time_searches(kb, queries)}
        print("search", figures["search"], flush=True)
    figures["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)
    figures["cpus"] = os.cpu_count()
    _print_table(figures)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


def _print_table(f: dict[str, Any]) -> None:
    print("\n| measure | figure |\n|---|---|")
    for name in ("ingest_demo", "ingest_5mb"):
        r = f[name]
        print(f"| ingest {name.removeprefix('ingest_')}: {r['documents']} docs, {r['chunks']} "
              f"chunks, {r['megabytes']} MB | {r['chunks_per_s']} chunks/s, {r['mb_per_s']} MB/s "
              f"({r['seconds']} s) |")  # fmt: skip
    u = f["reingest_unchanged"]
    print(f"| re-ingest {u['documents']} unchanged docs | {u['seconds']} s |")
    s = f["search"]
    print(
        f"| search at {s['chunks']} chunks, warm ({s['searches']} queries) | "
        f"p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms |"
    )
    load = f["load_average_1m_at_end"]
    print(f"\n{f['cpus']} CPUs; 1-minute load average at the end: {load}")


if __name__ == "__main__":
    sys.exit(main())
