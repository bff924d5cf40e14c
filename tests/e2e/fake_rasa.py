"""A stand-in Rasa server for the widget's rendering tests.

It is Rasa's own HTTP server and this project's socket.io channel (loaded
from a credentials file, exactly as `rasa run` loads it) with the trained
model replaced by a few scripted answers, so the widget's card, calendar file,
quick replies and XSS handling can be tested without a model:

    python tests/e2e/fake_rasa.py --port 5305 --cors "http://localhost:8380"

The scripted answers follow the bot's contract: answer + blank line +
disclaimer in one text, buttons, and the `wait_plan` custom payload.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DISCLAIMER = (
    "This is general information, not medical advice. "
    "For advice about your own situation, contact the clinic."
)

WAIT_PLAN: Dict[str, Any] = {
    "previous_treatment": "botox",
    "previous_date": "2026-11-03",
    "next_treatment": "microneedling",
    "earliest_date": "2026-11-17",
    "ideal_window": ["2026-11-17", "2026-12-01"],
    "days_remaining": 0,
    "timezone": "America/Vancouver",
}

CREDENTIALS = """\
channels.web.WidgetSocketIOInput:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
"""


def answer(text: str) -> list[Dict[str, Any]]:
    """The scripted bot: a list of Rasa bot messages (dispatcher-style dicts)."""
    lowered = text.lower().strip()
    if lowered in ("/greet", "hello", "hi"):
        return [
            {
                "text": "Hello! What would you like to know?",
                "buttons": [
                    {"title": "What is Botox?", "payload": "/what_is_botox"},
                    {"title": "What is microneedling?", "payload": "/what_is_microneedling"},
                ],
            }
        ]
    if lowered in ("what is microneedling?", "/what_is_microneedling"):
        return [
            {
                "text": "Microneedling makes tiny punctures in the skin that prompt it to make new collagen.\n\n"
                + DISCLAIMER
            }
        ]
    if lowered == "/what_is_botox":
        return [{"text": "Botox relaxes the muscles that cause expression lines.\n\n" + DISCLAIMER}]
    if "botox on" in lowered or "ideal time" in lowered:
        return [
            {
                "text": "After Botox on Tuesday, November 3, the earliest date for microneedling is "
                "Tuesday, November 17. Book at https://example-clinic.ca/book or call us.\n\n" + DISCLAIMER,
            },
            {"custom": {"wait_plan": dict(WAIT_PLAN)}},
        ]
    if lowered == "links":
        return [
            {
                "text": "Book: https://example-clinic.ca/book. Not ours: https://evil.example/x and "
                "https://example-clinic.ca/book.evil.example/\n\n" + DISCLAIMER
            }
        ]
    return [{"text": f"You said: {text}\n\n{DISCLAIMER}"}]


class ScriptedAgent:
    """Takes the place of rasa.core.agent.Agent for the channel."""

    async def handle_message(self, message: Any) -> None:
        if (message.text or "").lower().startswith("slow"):
            await asyncio.sleep(2.5)  # time to see the typing indicator
        for response in answer(message.text or ""):
            await message.output_channel.send_response(message.sender_id, dict(response))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5305)
    parser.add_argument("--cors", default=os.environ.get("WIDGET_ALLOWED_ORIGINS", ""))
    args = parser.parse_args()
    os.environ["WIDGET_ALLOWED_ORIGINS"] = args.cors

    from rasa.core import run

    with tempfile.TemporaryDirectory() as tmp:
        credentials = Path(tmp) / "credentials.yml"
        credentials.write_text(CREDENTIALS, encoding="utf-8")
        channels = run.create_http_input_channels(None, str(credentials))
        app = run.configure_app(channels, cors=args.cors.split(), enable_api=False, port=args.port)
        app.ctx.agent = ScriptedAgent()
        app.run(host="127.0.0.1", port=args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
