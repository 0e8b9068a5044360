"""`python -m evals.conversations`: run the scripted conversations through the HTTP API.

Ingests `demo/` into a scratch data directory, serves the app on loopback with the clock
fixed to each conversation's `today`, plays every `evals/conversations/*.yaml` and reports
per-field accuracy, stage accuracy, handoff-trigger precision/recall, answered/gap accuracy,
citation hits, leaks and groundedness. Writes `evals/results/conversations.json` and prints
every failure so it can be inspected. Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import yaml
from sqlmodel import Session, col, select

ROOT = Path(__file__).resolve().parent.parent
SET_DIR = ROOT / "evals" / "conversations"
RESULTS = ROOT / "evals" / "results" / "conversations.json"
STAFF_KEY = "eval-admin-key-0123456789"
FIELDS = ("budget", "authority", "need", "timeline", "contact")


class EvalClock:
    """A clock the runner sets to each conversation's day."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def now(self) -> datetime:
        """Return the set time."""
        return self.moment


def serve(services: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    """Start the app on a free loopback port and wait until it answers."""
    from api.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    config = uvicorn.Config(
        create_app(services, start_dispatcher=False), host="127.0.0.1", port=port,
        log_level="warning",
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return server, thread, url
        except httpx.HTTPError:
            time.sleep(0.05)
    raise SystemExit("the server did not start")


def normalise(text: str) -> str:
    """Lower-case text without markup, links or extra whitespace, for containment checks."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`]", "", text)  # emphasis, removed as the engine removes it
    text = re.sub(r"[#>|]", " ", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def answer_sentences(reply_text: str) -> list[str]:
    """Return the sentences of the answer part (the first paragraph) of a reply."""
    answer = reply_text.split("\n\n")[0]
    return [s for s in re.split(r"(?<=[.!?])\s+", answer) if s.strip()]


def cited_text(engine: Any, document_ids: set[str]) -> str:
    """Return the normalised text of every chunk of the cited documents."""
    from knowledge.models import Chunk

    with Session(engine) as session:
        stmt = select(Chunk).where(col(Chunk.document_id).in_(document_ids))
        return normalise(" ".join(c.text for c in session.exec(stmt).all()))


def matches(expected: Any, actual: Any, key: str = "") -> bool:
    """Compare one labelled value with the state (numbers loosely, strings case-blind)."""
    if key == "phone" and isinstance(expected, str) and isinstance(actual, str):
        # "+1 512 555 0142" and the stored E.164 "+15125550142" are the same number.
        return re.sub(r"\D", "", expected) == re.sub(r"\D", "", actual)
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return isinstance(actual, int | float) and abs(float(actual) - float(expected)) < 0.5
    if isinstance(expected, str) and isinstance(actual, str):
        return expected.strip().lower() == actual.strip().lower()
    return bool(expected == actual)


def run_one(
    http: httpx.Client, staff: httpx.Client, services: Any, clock: EvalClock, spec: dict[str, Any]
) -> dict[str, Any]:
    """Play one scripted conversation and score it."""
    day = spec.get("today") or date.today()
    day = day if isinstance(day, date) else date.fromisoformat(str(day))
    clock.moment = datetime.combine(day, dtime(10, 0), tzinfo=UTC)
    created = http.post("/v1/conversations", json={"metadata": {"eval": spec["id"]}}).json()
    headers = {"Authorization": f"Bearer {created['visitor_token']}"}
    turns: list[dict[str, Any]] = []
    for i, turn in enumerate(spec.get("turns") or []):
        res = http.post(
            f"/v1/conversations/{created['id']}/messages",
            json={"text": turn["visitor"]},
            headers=headers,
        )
        reply = res.json().get("reply", {}) if res.status_code == 200 else {}
        text = str(reply.get("text", f"<HTTP {res.status_code}: {res.text[:200]}>"))
        citations = reply.get("citations", [])
        result: dict[str, Any] = {
            "turn": i,
            "visitor": turn["visitor"],
            "reply": text,
            "cites": [c["source"] for c in citations],
            "checks": {},
        }
        expect = turn.get("expect") or {}
        if "answered" in expect:
            result["checks"]["answered"] = bool(citations) == bool(expect["answered"])
        if expect.get("cites"):
            result["checks"]["cites"] = bool(set(result["cites"]) & set(expect["cites"]))
        if expect.get("not_contains"):
            leaked = [s for s in expect["not_contains"] if s.lower() in text.lower()]
            result["checks"]["not_contains"] = not leaked
            result["leaked"] = leaked
        if citations:
            haystack = cited_text(services.engine, {c["document_id"] for c in citations})
            sentences = answer_sentences(text)
            grounded = [normalise(s).rstrip(".") in haystack for s in sentences]
            result["grounded"] = [sum(grounded), len(grounded)]
            result["ungrounded"] = [s for s, ok in zip(sentences, grounded, strict=True) if not ok]
        turns.append(result)
    state = staff.get(f"/v1/conversations/{created['id']}/qualification").json()
    handoffs = staff.get("/v1/handoffs", params={"conversation_id": created["id"]}).json()
    items = handoffs.get("items", []) if isinstance(handoffs, dict) else []
    expected = spec.get("expected") or {}
    fields: dict[str, dict[str, Any]] = {}
    for name in FIELDS:
        if name in expected:
            want = expected[name] or {}
            got = state.get(name, {})
            wrong = {k: {"expected": v, "actual": got.get(k)} for k, v in want.items()
                     if not matches(v, got.get(k), k)}  # fmt: skip
            fields[name] = {"ok": not wrong, "wrong": wrong}
    return {
        "id": spec["id"],
        "conversation_id": created["id"],
        "turns": turns,
        "fields": fields,
        "stage": {"expected": expected.get("stage"), "actual": state.get("stage")},
        "handoff": {
            "expected": expected.get("handoff"),
            "actual": items[0]["reason"] if items else "none",
        },
    }


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate the per-conversation results into the reported numbers."""
    per_field: dict[str, list[bool]] = {f: [] for f in FIELDS}
    for r in results:
        for name, f in r["fields"].items():
            per_field[name].append(f["ok"])
    staged = [r for r in results if r["stage"]["expected"]]
    with_handoff = [r for r in results if r["handoff"]["expected"]]
    tp = sum(1 for r in with_handoff if r["handoff"]["expected"] != "none"
             and r["handoff"]["actual"] != "none")  # fmt: skip
    fp = sum(1 for r in with_handoff if r["handoff"]["expected"] == "none"
             and r["handoff"]["actual"] != "none")  # fmt: skip
    fn = sum(1 for r in with_handoff if r["handoff"]["expected"] != "none"
             and r["handoff"]["actual"] == "none")  # fmt: skip
    checks: dict[str, list[bool]] = {}
    grounded = [0, 0]
    for r in results:
        for t in r["turns"]:
            for name, ok in t["checks"].items():
                checks.setdefault(name, []).append(ok)
            if "grounded" in t:
                grounded[0] += t["grounded"][0]
                grounded[1] += t["grounded"][1]
    all_checks = [ok for oks in checks.values() for ok in oks]

    def rate(oks: list[bool]) -> float | None:
        return round(sum(oks) / len(oks), 3) if oks else None

    return {
        "conversations": len(results),
        "field_accuracy": {f: rate(oks) for f, oks in per_field.items()},
        "field_counts": {f: len(oks) for f, oks in per_field.items()},
        "field_accuracy_overall": rate([ok for oks in per_field.values() for ok in oks]),
        "stage_accuracy": rate([r["stage"]["expected"] == r["stage"]["actual"] for r in staged]),
        "handoff_precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "handoff_recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "handoff_reason_accuracy": rate(
            [r["handoff"]["expected"] == r["handoff"]["actual"] for r in with_handoff]
        ),
        "turn_checks": {name: rate(oks) for name, oks in checks.items()},
        "turn_expectation_pass_rate": rate(all_checks),
        "groundedness": round(grounded[0] / grounded[1], 3) if grounded[1] else None,
        "answer_sentences": grounded[1],
    }


def report_failures(results: list[dict[str, Any]]) -> None:
    """Print what went wrong in each conversation, for a person to inspect."""
    for r in results:
        lines: list[str] = []
        for name, f in r["fields"].items():
            if not f["ok"]:
                lines.append(f"  {name}: {f['wrong']}")
        if r["stage"]["expected"] and r["stage"]["expected"] != r["stage"]["actual"]:
            lines.append(f"  stage: expected {r['stage']['expected']}, got {r['stage']['actual']}")
        if r["handoff"]["expected"] and r["handoff"]["expected"] != r["handoff"]["actual"]:
            lines.append(
                f"  handoff: expected {r['handoff']['expected']}, got {r['handoff']['actual']}"
            )
        for t in r["turns"]:
            bad = [n for n, ok in t["checks"].items() if not ok]
            if bad or t.get("ungrounded"):
                lines.append(f"  turn {t['turn']} {bad} {t['visitor']!r}")
                lines.append(f"    -> {t['reply'][:300]!r} cites={t['cites']}")
                for s in t.get("ungrounded", []):
                    lines.append(f"    ungrounded: {s!r}")
        if lines:
            print(f"\n{r['id']}")
            print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    """Run the set and print the numbers and the failures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run conversations whose id contains this text")
    parser.add_argument("--quiet", action="store_true", help="do not print failures")
    args = parser.parse_args(argv)
    from api.app import Services
    from core.config import CoreSettings

    specs = [yaml.safe_load(p.read_text()) for p in sorted(SET_DIR.glob("*.yaml"))]
    if args.only:
        specs = [s for s in specs if args.only in s["id"]]
    with tempfile.TemporaryDirectory(prefix="baton-eval-") as tmp:
        clock = EvalClock()
        settings = CoreSettings(data_dir=Path(tmp) / "data", admin_key=STAFF_KEY)
        services = Services(settings, clock=clock)
        report = services.knowledge.ingest_paths([ROOT / "demo"], base=ROOT)
        if report.errors:
            raise SystemExit(f"demo ingestion failed: {report.errors}")
        server, thread, url = serve(services)
        started = time.perf_counter()
        try:
            with (
                httpx.Client(base_url=url, timeout=60) as http,
                httpx.Client(
                    base_url=url, timeout=60, headers={"Authorization": f"Bearer {STAFF_KEY}"}
                ) as staff,
            ):
                results = [run_one(http, staff, services, clock, s) for s in specs]
        finally:
            server.should_exit = True
            thread.join(timeout=10)
        elapsed = time.perf_counter() - started
    summary = summarise(results)
    summary["seconds"] = round(elapsed, 1)
    if not args.quiet:
        report_failures(results)
    print("\n" + json.dumps(summary, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"summary": summary, "results": results}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
