"""actions/wait_plan.py with a pinned clock: the dates a patient is told."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
import yaml

from clinic.dates import understand_message
from clinic.protocol import (
    DEFAULT_PROTOCOL_PATH,
    ClinicProtocol,
    ProtocolError,
    load_protocol,
    parse_protocol,
)
from clinic.wait_plan import clinic_today, compute_wait_plan, format_day, other_treatment

D = dt.date
SAT = D(2026, 11, 21)
PROTOCOL = load_protocol(DEFAULT_PROTOCOL_PATH)
RAW = yaml.safe_load(DEFAULT_PROTOCOL_PATH.read_text(encoding="utf-8"))


def protocol_with(**intervals: tuple) -> ClinicProtocol:
    raw = copy.deepcopy(RAW)
    for key, (min_days, ideal_max) in intervals.items():
        raw["intervals"][key] = {"min_days": min_days, "ideal_max_days": ideal_max}
    return parse_protocol(raw)


def test_payload_matches_the_issue_example_exactly() -> None:
    plan = compute_wait_plan("botox", D(2026, 11, 3), SAT, PROTOCOL)
    assert plan.to_payload() == {
        "wait_plan": {
            "previous_treatment": "botox",
            "previous_date": "2026-11-03",
            "next_treatment": "microneedling",
            "earliest_date": "2026-11-17",
            "ideal_window": ["2026-11-17", "2026-12-01"],
            "days_remaining": 0,
            "timezone": "America/Vancouver",
        }
    }
    # Plain JSON: the widget and the REST channel can send it as is.
    assert json.loads(json.dumps(plan.to_payload())) == plan.to_payload()
    assert type(plan.to_payload()["wait_plan"]["days_remaining"]) is int


def test_microneedling_three_days_ago_then_botox() -> None:
    plan = compute_wait_plan("microneedling", D(2026, 11, 18), SAT, PROTOCOL)
    assert plan.next_treatment == "botox"
    assert plan.earliest_date == D(2026, 12, 2)
    assert plan.ideal_window == (D(2026, 12, 2), D(2026, 12, 16))
    assert plan.days_remaining == 11
    assert not plan.ready_today
    assert not plan.is_planned


def test_days_remaining_counts_down_to_zero_and_stays_there() -> None:
    previous = D(2026, 11, 10)  # earliest: November 24
    remaining = [compute_wait_plan("botox", previous, previous + dt.timedelta(days=n), PROTOCOL).days_remaining
                 for n in range(0, 20)]
    assert remaining[:15] == list(range(14, -1, -1))
    assert remaining[14:] == [0] * 6


def test_can_i_do_it_today() -> None:
    on_the_day = compute_wait_plan("botox", D(2026, 11, 7), SAT, PROTOCOL)
    assert (on_the_day.earliest_date, on_the_day.days_remaining, on_the_day.ready_today) == (SAT, 0, True)
    day_before = compute_wait_plan("botox", D(2026, 11, 8), SAT, PROTOCOL)
    assert (day_before.days_remaining, day_before.ready_today) == (1, False)


def test_a_planned_first_treatment() -> None:
    plan = compute_wait_plan("botox", D(2026, 11, 27), SAT, PROTOCOL)
    assert plan.is_planned
    assert plan.earliest_date == D(2026, 12, 11)
    assert plan.ideal_window == (D(2026, 12, 11), D(2026, 12, 25))
    assert plan.days_remaining == 20


def test_a_long_past_treatment_means_the_wait_is_over() -> None:
    plan = compute_wait_plan("microneedling", D(2024, 11, 21), SAT, PROTOCOL)
    assert plan.days_remaining == 0
    assert plan.ready_today
    assert plan.past_ideal_window
    inside = compute_wait_plan("botox", D(2026, 11, 3), SAT, PROTOCOL)
    assert not inside.past_ideal_window  # window ends December 1


def test_intervals_come_from_the_protocol_in_each_direction() -> None:
    protocol = protocol_with(botox_to_microneedling=(10, 21), microneedling_to_botox=(7, 30))
    to_needling = compute_wait_plan("botox", D(2026, 11, 1), SAT, protocol)
    assert (to_needling.earliest_date, to_needling.ideal_window[1]) == (D(2026, 11, 11), D(2026, 11, 22))
    to_botox = compute_wait_plan("microneedling", D(2026, 11, 1), SAT, protocol)
    assert (to_botox.earliest_date, to_botox.ideal_window[1]) == (D(2026, 11, 8), D(2026, 12, 1))


def test_dates_across_month_year_and_leap_day() -> None:
    plan = compute_wait_plan("botox", D(2026, 12, 25), D(2026, 12, 26), PROTOCOL)
    assert plan.earliest_date == D(2027, 1, 8)
    assert plan.ideal_window[1] == D(2027, 1, 22)
    leap = compute_wait_plan("microneedling", D(2028, 2, 20), D(2028, 2, 21), PROTOCOL)
    assert leap.earliest_date == D(2028, 3, 5)  # 2028 has February 29


def test_timezone_is_the_protocols() -> None:
    raw = copy.deepcopy(RAW)
    raw["clinic"]["timezone"] = "America/Edmonton"
    plan = compute_wait_plan("botox", D(2026, 11, 3), SAT, parse_protocol(raw))
    assert plan.to_payload()["wait_plan"]["timezone"] == "America/Edmonton"


def test_unknown_treatment_is_an_error() -> None:
    with pytest.raises(ValueError):
        compute_wait_plan("filler", D(2026, 11, 3), SAT, PROTOCOL)
    assert other_treatment("botox") == "microneedling"
    assert other_treatment("microneedling") == "botox"


def test_missing_interval_is_a_protocol_error() -> None:
    raw = copy.deepcopy(RAW)
    del raw["intervals"]["microneedling_to_botox"]
    with pytest.raises(ProtocolError):
        parse_protocol(raw)


# --------------------------------------------------------------------------
# The clinic's today
# --------------------------------------------------------------------------

def test_clinic_today_uses_the_clinic_time_zone() -> None:
    utc = dt.timezone.utc
    # 07:30 UTC on November 22 is still 23:30 on November 21 in Abbotsford (PST, UTC-8).
    assert clinic_today(PROTOCOL, dt.datetime(2026, 11, 22, 7, 30, tzinfo=utc)) == D(2026, 11, 21)
    assert clinic_today(PROTOCOL, dt.datetime(2026, 11, 22, 8, 30, tzinfo=utc)) == D(2026, 11, 22)
    # Summer time (PDT, UTC-7).
    assert clinic_today(PROTOCOL, dt.datetime(2026, 7, 2, 6, 30, tzinfo=utc)) == D(2026, 7, 1)
    assert clinic_today(PROTOCOL, dt.datetime(2026, 7, 2, 7, 30, tzinfo=utc)) == D(2026, 7, 2)


def test_clinic_today_takes_naive_times_as_utc_and_defaults_to_now() -> None:
    assert clinic_today(PROTOCOL, dt.datetime(2026, 11, 22, 7, 30)) == D(2026, 11, 21)
    before = dt.datetime.now(PROTOCOL.tz).date()
    now = clinic_today(PROTOCOL)
    assert before <= now <= dt.datetime.now(PROTOCOL.tz).date()


# --------------------------------------------------------------------------
# Dates as patients read them
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "day, today, text",
    [
        (D(2026, 12, 1), SAT, "Tuesday, December 1"),
        (D(2026, 11, 17), SAT, "Tuesday, November 17"),
        (D(2027, 1, 8), SAT, "Friday, January 8, 2027"),
        (D(2026, 1, 8), None, "Thursday, January 8"),
        (D(2028, 2, 29), D(2028, 1, 1), "Tuesday, February 29"),
    ],
)
def test_format_day(day: D, today: D | None, text: str) -> None:
    assert format_day(day, today=today) == text


# --------------------------------------------------------------------------
# From the message to the plan
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, previous, previous_date, earliest, days_remaining",
    [
        ("I had microneedling 3 days ago, when can I get Botox?", "microneedling", "2026-11-18", "2026-12-02", 11),
        ("I had Botox this past Tuesday, when can I get microneedling?", "botox", "2026-11-17", "2026-12-01", 10),
        ("had botox on the 3rd, when can i do microneedling", "botox", "2026-11-03", "2026-11-17", 0),
        ("im getting botox this coming friday, when can i book microneedling", "botox", "2026-11-27", "2026-12-11", 20),
    ],
)
def test_message_to_payload(text: str, previous: str, previous_date: str, earliest: str, days_remaining: int) -> None:
    reading = understand_message(text, SAT, PROTOCOL.date_rules)
    assert reading.previous_treatment == previous
    assert reading.date_resolution.date is not None
    payload = compute_wait_plan(previous, reading.date_resolution.date, SAT, PROTOCOL).to_payload()["wait_plan"]
    assert (payload["previous_date"], payload["earliest_date"], payload["days_remaining"]) == (
        previous_date, earliest, days_remaining
    )
