"""`python -m evals.retrieval`: recall@5 and MRR of dense, BM25 and hybrid on the demo set.

Ingests `demo/` into a temporary data directory, runs every question of
`evals/retrieval_set.jsonl`, prints a table and writes `evals/results/retrieval.json`.
`--tune` also searches fusion parameters on this set (the only set tuning may use).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from knowledge.config import FusionParams
from knowledge.retrieval import Candidates, fuse, hits_for
from knowledge.service import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
SET_PATH = ROOT / "evals" / "retrieval_set.jsonl"
RESULTS = ROOT / "evals" / "results" / "retrieval.json"
K = 5
MRR_DEPTH = 10
_POOL = 100  # candidates fetched once per query; smaller pools are prefixes of it


def load_set(path: Path = SET_PATH) -> list[dict[str, Any]]:
    """Read the labelled questions."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def open_demo_kb(data_dir: Path) -> KnowledgeBase:
    """Open a knowledge base in a scratch directory and ingest the demo folder into it."""
    from api.app import Services
    from core.config import CoreSettings

    services = Services(CoreSettings(data_dir=data_dir))
    kb = services.knowledge
    report = kb.ingest_paths([ROOT / "demo"], base=ROOT)
    if report.errors:
        raise SystemExit(f"demo ingestion failed: {report.errors}")
    return kb


def _prefix(cands: Candidates, n: int) -> Candidates:
    return Candidates(dense=cands.dense[:n], lexical=cands.lexical[:n])


def score(
    kb: KnowledgeBase, pooled: list[tuple[dict[str, Any], Any, Candidates]], params: FusionParams
) -> dict[str, Any]:
    """Return recall@5 and MRR@10, overall and per kind, for one fusion setting."""
    per_kind: dict[str, list[tuple[float, float]]] = {}
    for item, corpus, cands in pooled:
        ranked = fuse(_prefix(cands, params.candidates), params, MRR_DEPTH)
        sources = [hit.source for hit in hits_for(corpus, ranked)]
        relevant = set(item["relevant"])
        hit_at_k = float(any(s in relevant for s in sources[:K]))
        rank = next((i for i, s in enumerate(sources, start=1) if s in relevant), None)
        per_kind.setdefault(item["kind"], []).append((hit_at_k, 1.0 / rank if rank else 0.0))
    rows = [r for rs in per_kind.values() for r in rs]
    out: dict[str, Any] = _mean(rows)
    out["by_kind"] = {kind: _mean(rs) for kind, rs in sorted(per_kind.items())}
    return out


def _mean(rows: list[tuple[float, float]]) -> dict[str, Any]:
    n = len(rows) or 1
    return {
        "recall@5": round(sum(r for r, _ in rows) / n, 4),
        "mrr": round(sum(m for _, m in rows) / n, 4),
        "n": len(rows),
    }


def modes(params: FusionParams) -> dict[str, FusionParams]:
    """Return the three settings compared: dense only, BM25 only and the configured hybrid."""
    return {
        "dense": params.model_copy(update={"method": "rrf", "lexical_weight": 0.0}),
        "bm25": params.model_copy(update={"method": "rrf", "dense_weight": 0.0}),
        "hybrid": params,
    }


def tune(kb: KnowledgeBase, pooled: list[Any]) -> list[tuple[float, FusionParams, dict[str, Any]]]:
    """Grid-search fusion settings on the set; return them best first."""
    grid: list[FusionParams] = []
    for rrf_k, dense_w, cands in itertools.product(
        (5, 10, 20, 40, 60, 100), (0.5, 0.75, 1.0, 1.5, 2.0), (20, 40, 100)
    ):
        grid.append(
            FusionParams(
                method="rrf",
                rrf_k=rrf_k,
                dense_weight=dense_w,
                lexical_weight=1.0,
                candidates=cands,
            )
        )
    for dense_w, cands in itertools.product([x / 10 for x in range(1, 10)], (20, 40, 100)):
        grid.append(
            FusionParams(
                method="weighted",
                dense_weight=dense_w,
                lexical_weight=round(1 - dense_w, 2),
                candidates=cands,
            )
        )
    scored = []
    for params in grid:
        result = score(kb, pooled, params)
        scored.append((result["recall@5"] + result["mrr"], params, result))
    scored.sort(key=lambda t: -t[0])
    return scored


def main(argv: list[str] | None = None) -> int:
    """Run the retrieval eval and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="grid-search fusion parameters")
    args = parser.parse_args(argv)
    questions = load_set()
    with tempfile.TemporaryDirectory(prefix="baton-eval-") as tmp:
        started = time.perf_counter()
        kb = open_demo_kb(Path(tmp))
        print(
            f"demo ingested: {kb.document_count()} documents in "
            f"{time.perf_counter() - started:.1f} s; {len(questions)} questions"
        )
        pool = kb.retriever.params.model_copy(update={"candidates": _POOL})
        kb.retriever.params = pool
        pooled = [(q, *kb.retriever.candidates(q["query"])) for q in questions]
        configured = kb.settings.fusion
        results = {name: score(kb, pooled, p) for name, p in modes(configured).items()}
        _print_table(results)
        report: dict[str, Any] = {
            "k": K,
            "mrr_depth": MRR_DEPTH,
            "questions": len(questions),
            "fusion": configured.model_dump(),
            "results": results,
        }
        if args.tune:
            ranked = tune(kb, pooled)
            print("\nbest fusion settings (recall@5 + MRR):")
            for total, params, result in ranked[:8]:
                print(
                    f"  {total:.4f}  r@5={result['recall@5']:.4f} mrr={result['mrr']:.4f}  "
                    f"{params.model_dump()}"
                )
            report["tuning_top"] = [{"params": p.model_dump(), **r} for _t, p, r in ranked[:10]]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    return 0


def _print_table(results: dict[str, dict[str, Any]]) -> None:
    kinds = sorted(next(iter(results.values()))["by_kind"])
    head = f"{'mode':<8} {'recall@5':>9} {'MRR':>7}" + "".join(
        f"  {k + ' r@5':>16} {k + ' MRR':>16}" for k in kinds
    )
    print(head)
    for name, r in results.items():
        line = f"{name:<8} {r['recall@5']:>9.4f} {r['mrr']:>7.4f}"
        for k in kinds:
            line += f"  {r['by_kind'][k]['recall@5']:>16.4f} {r['by_kind'][k]['mrr']:>16.4f}"
        print(line)


if __name__ == "__main__":
    sys.exit(main())
