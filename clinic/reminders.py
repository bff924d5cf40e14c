"""Reminders when the wait is over: what to offer, when to send. Pure functions.

After a personal plan whose earliest date is still ahead, the bot offers a
reminder for that day. A yes schedules one at the clinic's local `send_at`
time (protocol.yml `reminders`), never in the quiet hours; a failed SMS is
tried again with a doubling delay. The clock is always passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any, Dict, Iterable, Mapping, Optional

from clinic.dates import understand_message
from clinic.dates.message_readings import reading_for_turn
from clinic.protocol import TREATMENT_NAMES, ClinicProtocol, ReminderRules
from clinic.wait_plan import WaitPlan, format_day

# The channels a reminder can reach: SMS is sent by the worker; the widget
# and REST show it when the patient is (or next is) there.
SMS = "sms"
WEB = "socketio"
REST = "rest"
REMINDER_CHANNELS = (SMS, WEB, REST)


@dataclass(frozen=True)
class ReminderOffer:
    """The plan a reminder is offered for (kept in a slot until the answer)."""

    previous_treatment: str
    previous_date: dt.date
    next_treatment: str
    earliest_date: dt.date

    @property
    def key(self) -> str:
        """One plan: the first treatment and its date."""
        return f"{self.previous_treatment}:{self.previous_date.isoformat()}"

    def to_slot(self) -> Dict[str, str]:
        return {name: value.isoformat() if isinstance(value, dt.date) else value
                for name, value in asdict(self).items()}

    @classmethod
    def from_slot(cls, value: Any) -> Optional[ReminderOffer]:
        if not isinstance(value, Mapping):
            return None
        try:
            return cls(
                previous_treatment=str(value["previous_treatment"]),
                previous_date=dt.date.fromisoformat(str(value["previous_date"])),
                next_treatment=str(value["next_treatment"]),
                earliest_date=dt.date.fromisoformat(str(value["earliest_date"])),
            )
        except (KeyError, ValueError):
            return None


def offer_for(
    plan: WaitPlan, channel: Optional[str], declined: Iterable[str], already_set: Iterable[str] = ()
) -> Optional[ReminderOffer]:
    """The reminder to offer after `plan`, or None: only when the earliest date
    is still ahead, on a channel a reminder can reach, and not declined or
    already set for this plan."""
    if plan.days_remaining <= 0 or channel not in REMINDER_CHANNELS:
        return None
    offer = ReminderOffer(plan.previous_treatment, plan.previous_date, plan.next_treatment, plan.earliest_date)
    if offer.key in set(declined) or offer.key in set(already_set):
        return None
    return offer


def offer_values(offer: ReminderOffer, today: dt.date) -> Dict[str, str]:
    """What the offer, the confirmation and the reminder are filled with."""
    return {
        "reminder_date": format_day(offer.earliest_date, today=today),
        "next_treatment": TREATMENT_NAMES.get(offer.next_treatment, offer.next_treatment),
        "previous_treatment": TREATMENT_NAMES.get(offer.previous_treatment, offer.previous_treatment),
    }


# --- when to send -----------------------------------------------------------------


def in_quiet_hours(local: dt.time, rules: ReminderRules) -> bool:
    """True between quiet_start and quiet_end (which may wrap past midnight)."""
    start, end = rules.quiet_start, rules.quiet_end
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def next_send_time(when: dt.datetime, protocol: ClinicProtocol) -> dt.datetime:
    """`when`, or the end of the quiet hours it falls in; in UTC."""
    rules = protocol.reminders
    local = _aware(when).astimezone(protocol.tz)
    if in_quiet_hours(local.timetz().replace(tzinfo=None), rules):
        day = local.date()
        if local.time() >= rules.quiet_end:  # evening: the quiet hours end tomorrow
            day += dt.timedelta(days=1)
        local = dt.datetime.combine(day, rules.quiet_end, tzinfo=protocol.tz)
    return local.astimezone(dt.timezone.utc)


def due_at(day: dt.date, protocol: ClinicProtocol) -> dt.datetime:
    """When a reminder for `day` goes out: the clinic's send_at time that day
    (clinic time, summer or winter), moved out of the quiet hours; in UTC."""
    local = dt.datetime.combine(day, protocol.reminders.send_at, tzinfo=protocol.tz)
    return next_send_time(local, protocol)


def may_send_now(now: dt.datetime, protocol: ClinicProtocol) -> bool:
    """Outside the quiet hours, clinic time."""
    local = _aware(now).astimezone(protocol.tz)
    return not in_quiet_hours(local.time(), protocol.reminders)


def retry_at(now: dt.datetime, attempts: int, protocol: ClinicProtocol) -> Optional[dt.datetime]:
    """When to try a failed send again after `attempts` tries (doubling delay,
    never in quiet hours), or None when the tries are used up."""
    rules = protocol.reminders
    if attempts >= rules.max_attempts:
        return None
    delay = dt.timedelta(seconds=rules.retry_after_seconds * 2 ** max(0, attempts - 1))
    return next_send_time(_aware(now) + delay, protocol)


def parse_now(text: Optional[str], clock: Optional[dt.datetime] = None) -> dt.datetime:
    """NOW for the worker: ISO 8601 with an offset ("2026-12-09T10:00:00-08:00"),
    or `clock` (the current time) when empty. A time without offset is refused."""
    if not text or not text.strip():
        return _aware(clock or dt.datetime.now(dt.timezone.utc))
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"NOW={text!r} has no UTC offset; write e.g. 2026-12-09T10:00:00-08:00")
    return value.astimezone(dt.timezone.utc)


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)


# --- "remind me on another day" -------------------------------------------------------


@dataclass(frozen=True)
class MoveDecision:
    """`day` to move the reminder to, else the answer that says why not."""

    day: Optional[dt.date] = None
    answer: Optional[str] = None


def decide_move(
    text: str, today: dt.date, earliest: dt.date, protocol: ClinicProtocol, pipeline_reading: Any = None
) -> MoveDecision:
    """Read the new day from the message: on or after the earliest date.
    `pipeline_reading` is the language pipeline's `date_reading`, read ahead."""
    reading = reading_for_turn(pipeline_reading, today, "future") or understand_message(
        text, today, protocol.date_rules, default_tense="future")
    resolution = reading.date_resolution
    if resolution.choices or not resolution.ok or resolution.date is None:  # two days, or none usable
        return MoveDecision(answer="reminder_move_ask_date")
    if resolution.date < earliest:
        return MoveDecision(answer="reminder_move_too_early")
    return MoveDecision(day=resolution.date)


# --- the reminder itself --------------------------------------------------------------


def reminder_message(
    next_treatment: str, remind_on: dt.date, channel: Optional[str], protocol: ClinicProtocol,
    answers: Mapping[str, Any],
) -> Dict[str, Any]:
    """The reminder as sent on `remind_on` (so its date carries no year)."""
    from clinic.answers import render_response

    values = protocol.template_values()
    values.update({
        "reminder_date": format_day(remind_on, today=remind_on),
        "next_treatment": TREATMENT_NAMES.get(next_treatment, next_treatment),
    })
    return render_response(answers, "reminder_message", channel, values)
