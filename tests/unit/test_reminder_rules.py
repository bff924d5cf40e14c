"""Reminders in the core: when they go out (clinic time, quiet hours, retries),
what is offered, and that the SMS texts fit. Pinned clock throughout."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from channels.gsm import SMS_MAX_CHARS, gsm_length
from channels.sms_format import compose_reply
from clinic.answers import load_answers, render_response, render_text
from clinic.protocol import load_protocol
from clinic.reminders import (
    ReminderOffer,
    decide_move,
    due_at,
    may_send_now,
    next_send_time,
    offer_for,
    offer_values,
    parse_now,
    reminder_message,
    retry_at,
)
from clinic.wait_dialogue import KnownTreatment, decide_wait_reply, plan_answer_name
from clinic.wait_plan import compute_wait_plan

PROTOCOL = load_protocol()
ANSWERS = load_answers()
VANCOUVER = PROTOCOL.tz
UTC = dt.timezone.utc
ONE_SEGMENT = 160  # GSM-7 characters in one SMS


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VANCOUVER)


def test_a_reminder_goes_out_at_ten_clinic_time_in_winter_and_summer() -> None:
    assert due_at(dt.date(2026, 12, 9), PROTOCOL) == dt.datetime(2026, 12, 9, 18, 0, tzinfo=UTC)  # PST
    assert due_at(dt.date(2027, 7, 9), PROTOCOL) == dt.datetime(2027, 7, 9, 17, 0, tzinfo=UTC)  # PDT


@pytest.mark.parametrize("when, expected", [
    (local(2026, 12, 9, 19, 59), local(2026, 12, 9, 19, 59)),
    (local(2026, 12, 9, 20, 0), local(2026, 12, 10, 9, 0)),
    (local(2026, 12, 9, 23, 30), local(2026, 12, 10, 9, 0)),
    (local(2026, 12, 10, 3, 0), local(2026, 12, 10, 9, 0)),
    (local(2026, 12, 10, 9, 0), local(2026, 12, 10, 9, 0)),
])
def test_nothing_is_sent_in_the_quiet_hours(when: dt.datetime, expected: dt.datetime) -> None:
    assert next_send_time(when, PROTOCOL) == expected
    assert may_send_now(when, PROTOCOL) == (when == expected)


def test_a_clinic_that_sends_in_the_evening_waits_for_the_morning() -> None:
    late = PROTOCOL.__class__(**{**PROTOCOL.__dict__, "reminders": PROTOCOL.reminders.__class__(
        send_at=dt.time(21, 30))})
    assert due_at(dt.date(2026, 12, 9), late) == local(2026, 12, 10, 9, 0)


def test_retries_back_off_then_stop() -> None:
    now = local(2026, 12, 9, 10, 0)
    delays = [retry_at(now, attempt, PROTOCOL) for attempt in range(1, 7)]
    assert [(d - now).total_seconds() for d in delays[:4]] == [60, 120, 240, 480]
    assert delays[4] is None and delays[5] is None  # max_attempts: 5
    assert retry_at(local(2026, 12, 9, 19, 59), 1, PROTOCOL) == local(2026, 12, 10, 9, 0)


def test_now_needs_an_offset() -> None:
    assert parse_now("2026-12-09T10:00:00-08:00") == dt.datetime(2026, 12, 9, 18, 0, tzinfo=UTC)
    assert parse_now("", clock=dt.datetime(2026, 1, 1, tzinfo=UTC)) == dt.datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="offset"):
        parse_now("2026-12-09T10:00:00")


def plan_for(text: str, today: dt.date):
    reply = decide_wait_reply(text, today, PROTOCOL, KnownTreatment(), "wait_time")
    assert reply.plan is not None
    return reply.plan


def test_the_offer_follows_a_plan_whose_earliest_date_is_ahead_only() -> None:
    today = dt.date(2026, 11, 25)
    waiting = plan_for("I had botox 3 days ago, when can I get microneedling?", today)
    offer = offer_for(waiting, "sms", [])
    assert offer is not None and offer.earliest_date == dt.date(2026, 12, 6)
    assert offer_for(waiting, "sms", [offer.key]) is None  # "no" is remembered for this plan
    assert offer_for(waiting, "socketio", [], [offer.key]) is None  # already set
    assert offer_for(waiting, None, []) is None
    ready = plan_for("I had botox 20 days ago, can I get microneedling?", today)
    assert offer_for(ready, "sms", []) is None
    assert ReminderOffer.from_slot(offer.to_slot()) == offer


@pytest.mark.parametrize("text, expected", [
    ("remind me on december 20 instead", dt.date(2026, 12, 20)),
    ("move my reminder to dec 1", "reminder_move_too_early"),
    ("remind me on another day", "reminder_move_ask_date"),
])
def test_moving_a_reminder_reads_the_new_day(text: str, expected: object) -> None:
    decision = decide_move(text, dt.date(2026, 11, 25), dt.date(2026, 12, 6), PROTOCOL)
    assert (decision.day or decision.answer) == expected
    # The same from the language pipeline's reading, without a second parse.
    from clinic.dates.message_readings import read_for_dialogue

    reading = read_for_dialogue(text, dt.date(2026, 11, 25), PROTOCOL.date_rules)
    from_pipeline = decide_move("", dt.date(2026, 11, 25), dt.date(2026, 12, 6), PROTOCOL, reading)
    assert (from_pipeline.day or from_pipeline.answer) == expected


def _all_days(start: dt.date, count: int):
    return (start + dt.timedelta(days=n) for n in range(count))


def test_the_sms_reminder_fits_one_segment_every_day_of_the_year() -> None:
    lengths = {
        gsm_length(reminder_message(t, day, "sms", PROTOCOL, ANSWERS)["text"])
        for t, day in itertools.product(("botox", "microneedling"), _all_days(dt.date(2026, 1, 1), 366))
    }
    assert max(lengths) <= ONE_SEGMENT, max(lengths)
    text = reminder_message("microneedling", dt.date(2026, 12, 9), "sms", PROTOCOL, ANSWERS)["text"]
    for part in ("microneedling", "Wednesday, December 9", PROTOCOL.booking_url, "Reply STOP to opt out",
                 PROTOCOL.clinic_name):
        assert part in text


def test_on_sms_the_plan_and_the_offer_fit_two_segments_unshortened() -> None:
    """Every plan with a future earliest date, over a year of todays, for both treatments."""
    worst = 0
    for today in _all_days(dt.date(2026, 1, 1), 366):
        for previous, back in itertools.product(("botox", "microneedling"), (0, 13, -300)):
            plan = compute_wait_plan(previous, today - dt.timedelta(days=back), today, PROTOCOL)
            offer = offer_for(plan, "sms", [])
            if offer is None:
                continue
            reply = decide_wait_reply("", today, PROTOCOL, KnownTreatment(previous, plan.previous_date))
            values = {**PROTOCOL.template_values(), **reply.answer_values}
            plan_message = render_response(ANSWERS, plan_answer_name(plan), "sms", values)
            if not plan.is_planned:  # "can I get it today?" puts "Not yet." first (actions/wait_time.py)
                plan_message["text"] = f"{render_text(ANSWERS, 'today_not_yet', 'sms', values)} {plan_message['text']}"
            messages = [plan_message,
                        render_response(ANSWERS, "reminder_offer", "sms", {**values, **offer_values(offer, today)})]
            fitted = compose_reply(messages)
            assert not fitted.shortened and len(fitted.options) == 2, fitted.text
            worst = max(worst, gsm_length(fitted.text))
    assert worst <= SMS_MAX_CHARS
    print(f"longest SMS plan with the offer: {worst} characters")
