"""`make bench`: run every benchmark in turn, each in its own process, and print its report.

Benchmarks measure; they never pass or fail on speed. Each module prints its own table.
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS = (
    "evals.bench_knowledge",
    "evals.bench_agent",
    "evals.bench_llm",
    "evals.bench_webhooks",
)


def main() -> int:
    """Run each benchmark module and report which ones failed to run."""
    failed: list[str] = []
    for module in BENCHMARKS:
        print(f"\n=== {module} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", module])
        print(f"--- {module}: exit {code}, {time.perf_counter() - started:.1f} s wall", flush=True)
        if code:
            failed.append(module)
    if failed:
        print(f"\nbenchmarks that did not run to completion: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
