"""``python -m bench`` (``make bench``): every measurement, a table, ``bench/results.json``.

    python -m bench                    # everything (about five minutes)
    python -m bench --only library     # one group while working on it (not written)

Each group is a module with a ``run()`` returning its figures and a ``reference``
dict of context (absolute times, breakdowns, the client's CPU share). A group
that fails is reported and the others still run; the exit code says so.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results.json"
GROUPS = ("stream", "library", "poll", "recommend", "page", "workers")


def _poll_goal(value: dict[str, int]) -> bool:
    return len(set(value.values())) == 1 and max(value.values()) <= 3


# key → (goal as written in the issue, check)
GOALS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "stream_throughput_ratio": ("≥ 0.90", lambda v: v >= 0.90),
    "stream_rss_growth_mb": ("≤ 30", lambda v: v <= 30),
    "library_cold_ratio": ("≤ 1.5", lambda v: v <= 1.5),
    "library_warm_ratio": ("≤ 0.3", lambda v: v <= 0.3),
    "library_100k_ratio": ("≤ 2.0", lambda v: v <= 2.0),
    "poll_calls": ("all equal, ≤ 3", _poll_goal),
    "prompt_tokens_ratio": ("≤ 1.05", lambda v: v <= 1.05),
    "first_card_ratio": ("≤ 1.5", lambda v: v <= 1.5),
    "run_overhead_ratio": ("≤ 1.3", lambda v: v <= 1.3),
    "page_weight_kb": ("≤ 150", lambda v: v <= 150),
    "workers_ratio": ("≥ 1.6", lambda v: v >= 1.6),
}


def _shown(value: Any) -> str:
    if value is None:
        return "failed"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def table(results: dict[str, Any]) -> str:
    lines = ["| key | figure | goal | met |", "| --- | ---: | --- | :---: |"]
    for key, (goal, check) in GOALS.items():
        value = results.get(key)
        met = "—" if value is None else ("yes" if check(value) else "**no**")
        lines.append(f"| `{key}` | {_shown(value)} | {goal} | {met} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=GROUPS, action="append")
    args = parser.parse_args()
    groups = args.only or GROUPS
    results: dict[str, Any] = dict.fromkeys(GOALS)
    reference: dict[str, Any] = {}
    failed: list[str] = []
    for group in groups:
        started = time.perf_counter()
        print(f"… {group}", flush=True)
        try:
            figures = importlib.import_module(f"bench.{group}").run()
        except Exception:  # one broken group must not hide the others' figures
            traceback.print_exc()
            failed.append(group)
            continue
        reference.update(figures.pop("reference", {}))
        results.update(figures)
        reference.setdefault("seconds_per_group", {})[group] = round(
            time.perf_counter() - started, 1
        )
    print("\n" + table(results) + "\n")
    print("Reference (not goals):")
    print(json.dumps(reference, indent=2, default=str))
    if args.only is None:
        RESULTS.write_text(json.dumps({**results, "reference": reference}, indent=2) + "\n")
        print(
            f"\nWritten to {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}"
        )
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
