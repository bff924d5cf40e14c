"""Score a trained model on held-out sets, the way a patient would meet it.

    python scripts/score_heldout.py --intents tests/nlu/independent/*.yml \
        --dates tests/data/independent/*.yml [--model models/] [--json out.json]

Intent sets (Rasa NLU YAML): accuracy, the per-intent confusion table, the
confidently wrong answers (wrong with confidence >= 0.8), what happened to
the questions about something else (out-of-scope answer, rephrase answer, or
our content), and red-flag reports answered as anything else.

Dated sentences (tests/data/ format, each with its own `today`): the message
goes through the model's NLU and, when the intent is routed to the wait-date
action, through the same dialogue decision the action makes, with the clock
pinned to the sentence's `today`. Each is then: right (a plan with the right
treatment and date, or a question back when the writer marked two readings),
both readings (asked which of two dates, with the plan from each, the
writer's among them), a wrong date (a plan with any other date: the worst
outcome), a question (asked for the date or treatment), or no plan (another
answer).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clinic.dates.message_readings import READING_KEY  # noqa: E402
from clinic.protocol import load_protocol  # noqa: E402
from clinic.scope import OUR_CONTENT_INTENTS  # noqa: E402
from clinic.wait_dialogue import WAIT_ACTION_INTENTS, KnownTreatment, decide_wait_reply  # noqa: E402
from clinic.wait_plan import clinic_today  # noqa: E402

CONFIDENT = 0.8


def read_intent_examples(path: Path) -> List[Tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples = []
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue  # synonyms, regexes, lookup tables
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append((line[2:].strip(), block["intent"]))
    return examples


def read_dated(path: Path) -> List[Dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [dict(entry, today=entry.get("today", data["today"])) for entry in data["sentences"]]


async def parse_all(model: str, items: List[Tuple[str, Optional[dt.date]]]) -> List[Dict[str, Any]]:
    """Each text parsed by the model's pipeline; a dated sentence with the
    pipeline's clock pinned to the sentence's `today`, so that its date
    reading is the one the wait-date action uses on that day (on another day
    the action would read the message again)."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    import channels.rest  # noqa: F401  (the Rasa server's own pipeline fixes, so the parse is the server's)
    import components.date_reader
    import components.timing_router

    configure_structlog(logging.WARNING)  # no debug line per parsed message

    agent = Agent.load(model)
    parses = []
    for text, today in items:
        clock = (lambda protocol, now=None, _day=today: _day) if today else clinic_today
        components.date_reader.clinic_today = clock
        components.timing_router.clinic_today = clock
        parses.append(await agent.parse_message(text))
    return parses


def as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _same_line(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def training_lines() -> set:
    lines = set()
    for path in (ROOT / "data" / "nlu").rglob("*.yml"):
        for text, _intent in read_intent_examples(path):
            lines.add(_same_line(text))
    return lines


def score_intents(examples: List[Tuple[str, str]], parses: List[Dict[str, Any]]) -> Dict[str, Any]:
    confusion: Dict[str, Counter] = defaultdict(Counter)
    confidently_wrong = []
    out_of_scope = Counter()
    red_flags_missed = []
    for (text, gold), parse in zip(examples, parses, strict=True):
        predicted = parse["intent"]["name"]
        confidence = float(parse["intent"].get("confidence") or 0.0)
        confusion[gold][predicted] += 1
        if predicted != gold and confidence >= CONFIDENT:
            confidently_wrong.append({"text": text, "gold": gold, "predicted": predicted,
                                      "confidence": round(confidence, 3)})
        if gold == "out_of_scope":
            kind = ("out_of_scope" if predicted == "out_of_scope" else "rephrase" if predicted == "nlu_fallback"
                    else "our_content" if predicted in OUR_CONTENT_INTENTS else "other")
            out_of_scope[kind] += 1
        if gold == "report_symptom" and predicted != "report_symptom":
            red_flags_missed.append({"text": text, "predicted": predicted})
    total = sum(sum(c.values()) for c in confusion.values())
    correct = sum(c[gold] for gold, c in confusion.items())
    # Lines that also appear in the training data ("what is microneedling", "thanks"): common
    # phrasings independent writers share. The accuracy without them is reported too.
    trained = training_lines()
    unseen = [(gold, parse["intent"]["name"]) for (text, gold), parse in zip(examples, parses, strict=True)
              if _same_line(text) not in trained]
    return {
        "lines": total, "accuracy": correct / total if total else 0.0,
        "lines_not_in_training": len(unseen),
        "accuracy_not_in_training": sum(g == p for g, p in unseen) / len(unseen) if unseen else 0.0,
        "confusion": {gold: dict(c) for gold, c in sorted(confusion.items())},
        "confidently_wrong": confidently_wrong, "out_of_scope": dict(out_of_scope),
        "red_flags_missed": red_flags_missed,
    }


def dated_outcome(entry: Dict[str, Any], parse: Dict[str, Any], protocol: Any) -> str:
    intent = parse["intent"]["name"]
    if intent not in WAIT_ACTION_INTENTS:
        return "no_plan"
    today = as_date(entry["today"])
    # The pipeline's own reading, as the wait-date action gets it (not a second reading here).
    reply = decide_wait_reply(entry["text"], today, protocol, KnownTreatment(), intent,
                              pipeline_reading=parse.get(READING_KEY))
    if reply.kind == "plan":
        if "ask" in entry and "date" not in entry:
            return "wrong_date"  # two readings, one picked silently
        # `ask: true` beside a `date`: the writer takes the date, and asking is right too.
        right = reply.plan.previous_date == entry["date"] and reply.plan.previous_treatment == entry["previous"]
        return "right" if right else "wrong_date"
    if reply.kind == "ask_which_date" and "ask" in entry:
        return "right"
    if (reply.kind == "ask_which_date" and reply.choice_plans and entry.get("date") in reply.choices
            and reply.previous_treatment == entry["previous"]):
        return "both_readings"  # asked which, with the writer's date's plan among the two given
    if reply.kind in ("ask_treatment", "ask_date", "reask_date", "ask_which_date"):
        return "question"
    return "no_plan"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--intents", nargs="*", type=Path, default=[])
    parser.add_argument("--dates", nargs="*", type=Path, default=[])
    parser.add_argument("--model", default=str(ROOT / "models"))
    parser.add_argument("--json", type=Path, help="write the full results here")
    parser.add_argument("--show", type=int, default=15, help="how many confidently wrong lines to print")
    parser.add_argument("--min-accuracy", type=float, help="fail below this intent accuracy (0..1)")
    parser.add_argument("--min-out-of-scope", type=float,
                        help="fail when fewer of the other-subject questions get the out-of-scope answer (0..1)")
    parser.add_argument("--min-right-dates", type=float, help="fail when fewer dated sentences are right (0..1)")
    parser.add_argument("--min-answered-dates", type=float,
                        help="fail when fewer dated sentences get the right plan, alone or beside the other "
                             "reading's in a which-date question (0..1)")
    parser.add_argument("--max-our-content", type=int,
                        help="fail when more other-subject questions than this get Botox or microneedling content")
    parser.add_argument("--gate", action="store_true",
                        help="also fail on any red flag answered otherwise and on any wrong date")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    examples = [e for path in args.intents for e in read_intent_examples(path)]
    dated = [e for path in args.dates for e in read_dated(path)]
    parses = asyncio.run(parse_all(args.model, [(t, None) for t, _ in examples]
                                   + [(e["text"], as_date(e["today"])) for e in dated]))
    results: Dict[str, Any] = {}
    if examples:
        intents = score_intents(examples, parses[:len(examples)])
        results["intents"] = intents
        print(f"intent accuracy: {intents['accuracy']:.3f} on {intents['lines']} lines "
              f"({', '.join(p.name for p in args.intents)})")
        print(f"  on the {intents['lines_not_in_training']} lines not also in the training data: "
              f"{intents['accuracy_not_in_training']:.3f}")
        print(f"confidently wrong (>= {CONFIDENT}): {len(intents['confidently_wrong'])}")
        print(f"questions about something else: {intents['out_of_scope']}")
        print(f"red-flag reports answered as anything else: {len(intents['red_flags_missed'])}")
        print("per intent (gold: right/total, then what the wrong ones became):")
        for gold, predicted in intents["confusion"].items():
            total = sum(predicted.values())
            wrong = {p: n for p, n in sorted(predicted.items(), key=lambda x: -x[1]) if p != gold}
            print(f"  {gold:22s} {predicted.get(gold, 0):3d}/{total:<3d} {wrong if wrong else ''}")
        for line in intents["confidently_wrong"][:args.show]:
            print(f"    {line['gold']:>20s} -> {line['predicted']:20s} {line['confidence']:.2f}  {line['text']}")
    if dated:
        protocol = load_protocol()
        outcomes = [dated_outcome(e, p, protocol) for e, p in zip(dated, parses[len(examples):], strict=True)]
        counts = Counter(outcomes)
        results["dates"] = {"sentences": len(dated), **counts,
                            "details": [{"text": e["text"], "outcome": o} for e, o in zip(dated, outcomes, strict=True)]}
        answered = counts["right"] + counts["both_readings"]
        print(f"dated sentences: {len(dated)}: right {counts['right']} ({counts['right'] / len(dated):.1%}), "
              f"wrong date {counts['wrong_date']}, question {counts['question']}, no plan {counts['no_plan']}")
        print(f"  asked which of two dates, giving the plan from each (the writer's among them): "
              f"{counts['both_readings']}; right plan given, alone or beside the other reading's: "
              f"{answered} ({answered / len(dated):.1%})")
        for entry, outcome in zip(dated, outcomes, strict=True):
            if outcome in ("wrong_date", "no_plan"):
                print(f"    {outcome:10s} {entry['text']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    failures = gate_failures(results, args)
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


def gate_failures(results: Dict[str, Any], args: argparse.Namespace) -> List[str]:
    failures = []
    intents, dates = results.get("intents"), results.get("dates")
    if intents and args.min_accuracy is not None and intents["accuracy"] < args.min_accuracy:
        failures.append(f"intent accuracy {intents['accuracy']:.3f} below {args.min_accuracy:.3f}")
    if intents and args.min_out_of_scope is not None:
        oos = intents["out_of_scope"]
        share = oos.get("out_of_scope", 0) / max(1, sum(oos.values()))
        if share < args.min_out_of_scope:
            failures.append(f"other-subject questions answered out of scope: {share:.3f} below {args.min_out_of_scope}")
    ours = intents["out_of_scope"].get("our_content", 0) if intents else 0
    if args.max_our_content is not None and ours > args.max_our_content:
        failures.append(f"{ours} other-subject questions got our content (at most {args.max_our_content})")
    if dates and args.min_right_dates is not None and dates.get("right", 0) / dates["sentences"] < args.min_right_dates:
        failures.append(f"right dated answers below {args.min_right_dates}")
    answered = (dates.get("right", 0) + dates.get("both_readings", 0)) / dates["sentences"] if dates else 1.0
    if args.min_answered_dates is not None and answered < args.min_answered_dates:
        failures.append(f"dated sentences given the right plan (alone or beside another) below {args.min_answered_dates}")
    if args.gate:
        if intents and intents["red_flags_missed"]:
            failures.append(f"{len(intents['red_flags_missed'])} red-flag reports answered as something else")
        if dates and dates.get("wrong_date"):
            failures.append(f"{dates['wrong_date']} dated sentences got a wrong date")
    return failures


if __name__ == "__main__":
    sys.exit(main())
