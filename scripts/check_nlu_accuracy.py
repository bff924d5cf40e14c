"""Fail when the held-out NLU intent accuracy is below a threshold.

Reads the intent_report.json that `rasa test nlu` writes and prints the
accuracy with the worst intents, so a failure says where to look.
"""

from __future__ import annotations

import argparse
import json
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("--min", type=float, required=True, help="minimum accuracy, 0..1")
    args = parser.parse_args()
    with open(args.report, encoding="utf-8") as handle:
        report = json.load(handle)
    accuracy = float(report["accuracy"])
    per_intent = {
        name: scores for name, scores in report.items()
        if isinstance(scores, dict) and "f1-score" in scores and name not in ("macro avg", "weighted avg", "micro avg")
    }
    worst = sorted(per_intent.items(), key=lambda item: item[1]["f1-score"])[:5]
    print(f"held-out intent accuracy: {accuracy:.3f} (minimum {args.min:.3f})")
    for name, scores in worst:
        print(f"  {name:24s} f1 {scores['f1-score']:.3f}  support {scores['support']}")
    if accuracy < args.min:
        print("FAIL: held-out accuracy below the minimum", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
