#!/usr/bin/env python
"""Score our date understanding against dateparser on the same labelled sentences.

    python scripts/bench_dates.py [--data tests/data/date_sentences.yml] [--wrong-only]

Sentences, with each one's "today" and expected answer, are in
tests/data/date_sentences.yml.

How each side is scored
-----------------------
* Ours (clinic.dates.understand_message, spaCy loaded): right when the
  previous and next treatments match AND the date matches (or, for a sentence
  that should be refused, the refusal code matches).
* dateparser (dateparser.search_dates): it only finds dates, so only the date
  is scored. It gets `languages=['en']` and settings
  `{'RELATIVE_BASE': today at midnight}`, everything else left at its defaults
  (no PREFER_DATES_FROM, no DATE_ORDER: what a developer gets out of the box),
  and the first date it finds is taken. For a sentence that should be refused
  it counts as right when it finds no date at all, or - generously - when the
  date it finds lies outside the limits we apply (more than max_days_ahead
  ahead for too_far_future, more than 10 years ago for too_far_past), since a
  caller could apply the same checks.

Prints a table, then a final line like
`ours 100/100 (100.0%)  dateparser 51/100 (51.0%)`. Exits 1 when ours is not at
100% or not ahead of dateparser.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clinic.dates import MAX_YEARS_AGO, understand_message  # noqa: E402
from clinic.protocol import DateRules  # noqa: E402

DEFAULT_DATA = ROOT / "tests" / "data" / "date_sentences.yml"
MAX_DAYS_AHEAD = DateRules.max_days_ahead


def load(path: Path) -> List[Dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [dict(entry, today=entry.get("today", data["today"])) for entry in data["sentences"]]


def expected_text(entry: Dict[str, Any]) -> str:
    return str(entry["date"]) if "date" in entry else f"refuse:{entry['refusal']}"


def score_ours(entry: Dict[str, Any]) -> Tuple[bool, str, float]:
    start = time.perf_counter()
    reading = understand_message(entry["text"], entry["today"], DateRules(month_first=entry.get("month_first", True)))
    elapsed = time.perf_counter() - start
    resolution = reading.date_resolution
    got = str(resolution.date) if resolution.date else f"refuse:{resolution.refusal_code}"
    treatments_ok = (reading.previous_treatment, reading.next_treatment) == (entry["previous"], entry["next"])
    if not treatments_ok:
        got += f" ({reading.previous_treatment}->{reading.next_treatment})"
    return treatments_ok and got == expected_text(entry), got, elapsed


def score_dateparser(entry: Dict[str, Any], search_dates: Any) -> Tuple[bool, str]:
    today: dt.date = entry["today"]
    base = dt.datetime(today.year, today.month, today.day)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            found = search_dates(entry["text"], languages=["en"], settings={"RELATIVE_BASE": base})
        except Exception as error:  # a crash is a miss, not a stop
            return False, f"error:{type(error).__name__}"
    first: dt.date | None = found[0][1].date() if found else None
    got = str(first) if first else "none"
    if "date" in entry:
        return first == entry["date"], got
    if first is None:
        return True, got
    if entry["refusal"] == "too_far_future":
        return (first - today).days > MAX_DAYS_AHEAD, got
    if entry["refusal"] == "too_far_past":
        return first.year * 12 + first.month < (today.year - MAX_YEARS_AGO) * 12 + today.month, got
    return False, got


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--wrong-only", action="store_true", help="list only sentences someone got wrong")
    args = parser.parse_args(argv)

    from dateparser.search import search_dates

    entries = load(args.data)
    understand_message("warm up: load the spaCy model", dt.date(2026, 1, 1))

    ours_right = theirs_right = 0
    slowest = 0.0
    total_time = 0.0
    width = 52
    print(f"{'#':>3}  {'sentence':<{width}} {'today':<10}  {'expected':<24} {'ours':<24} dateparser")
    print("-" * (width + 90))
    for number, entry in enumerate(entries, 1):
        ours_ok, ours_got, elapsed = score_ours(entry)
        theirs_ok, theirs_got = score_dateparser(entry, search_dates)
        ours_right += ours_ok
        theirs_right += theirs_ok
        slowest = max(slowest, elapsed)
        total_time += elapsed
        if args.wrong_only and ours_ok and theirs_ok:
            continue
        text = entry["text"] if len(entry["text"]) <= width else entry["text"][: width - 3] + "..."
        mark = {True: "ok", False: "XX"}
        print(
            f"{number:>3}  {text:<{width}} {entry['today']!s:<10}  {expected_text(entry):<24} "
            f"{mark[ours_ok]} {ours_got:<21} {mark[theirs_ok]} {theirs_got}"
        )
    n = len(entries)
    print("-" * (width + 90))
    print(f"ours: {total_time * 1000 / n:.1f} ms per message on average, slowest {slowest * 1000:.1f} ms")
    print(
        f"ours {ours_right}/{n} ({100 * ours_right / n:.1f}%)  "
        f"dateparser {theirs_right}/{n} ({100 * theirs_right / n:.1f}%)"
    )
    return 0 if ours_right == n and ours_right > theirs_right else 1


if __name__ == "__main__":
    sys.exit(main())
