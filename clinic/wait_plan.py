"""When is the next treatment safe? The wait computation, from the protocol.

earliest date = previous date + the protocol's minimum interval
ideal window  = [previous + minimum, previous + ideal maximum]
days remaining = days from today to the earliest date (0 once reached)

Pure functions: today's date is passed in; `clinic_today` is the one place
that reads the clock, in the clinic's time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, Tuple

from clinic.protocol import ClinicProtocol, other_treatment
from clinic.words import DAY_NAMES, MONTH_NAMES

__all__ = ["WaitPlan", "compute_wait_plan", "clinic_today", "format_day"]


@dataclass(frozen=True)
class WaitPlan:
    """The personal waiting dates for the next treatment."""

    previous_treatment: str
    previous_date: dt.date
    next_treatment: str
    earliest_date: dt.date
    ideal_window: Tuple[dt.date, dt.date]
    days_remaining: int
    timezone: str
    today: dt.date

    @property
    def is_planned(self) -> bool:
        """The first treatment has not happened yet."""
        return self.previous_date > self.today

    @property
    def ready_today(self) -> bool:
        """The answer to "can I do it today?": the earliest date has come."""
        return self.days_remaining == 0

    @property
    def past_ideal_window(self) -> bool:
        """Today is after the ideal window: the waiting period has long passed."""
        return self.today > self.ideal_window[1]

    def to_payload(self) -> Dict[str, Any]:
        """The machine-readable answer: ISO dates, `days_remaining` an int."""
        return {
            "wait_plan": {
                "previous_treatment": self.previous_treatment,
                "previous_date": self.previous_date.isoformat(),
                "next_treatment": self.next_treatment,
                "earliest_date": self.earliest_date.isoformat(),
                "ideal_window": [self.ideal_window[0].isoformat(), self.ideal_window[1].isoformat()],
                "days_remaining": int(self.days_remaining),
                "timezone": self.timezone,
            }
        }


def compute_wait_plan(
    previous_treatment: str, previous_date: dt.date, today: dt.date, protocol: ClinicProtocol
) -> WaitPlan:
    """Dates for the other treatment after `previous_treatment` on `previous_date`."""
    following = other_treatment(previous_treatment)
    interval = protocol.interval(previous_treatment, following)
    earliest = previous_date + dt.timedelta(days=interval.min_days)
    ideal_end = previous_date + dt.timedelta(days=interval.ideal_max_days)
    return WaitPlan(
        previous_treatment=previous_treatment,
        previous_date=previous_date,
        next_treatment=following,
        earliest_date=earliest,
        ideal_window=(earliest, ideal_end),
        days_remaining=max(0, (earliest - today).days),
        timezone=protocol.timezone,
        today=today,
    )


def clinic_today(protocol: ClinicProtocol, now: dt.datetime | None = None) -> dt.date:
    """Today's date in the clinic's time zone.

    `now` defaults to the current time; a naive `now` is taken as UTC.
    """
    if now is None:
        return dt.datetime.now(protocol.tz).date()
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    return now.astimezone(protocol.tz).date()


def format_day(d: dt.date, today: dt.date | None = None) -> str:
    """"Tuesday, December 1"; the year is added when it is not `today`'s year."""
    text = f"{DAY_NAMES[d.weekday()]}, {MONTH_NAMES[d.month]} {d.day}"
    if today is not None and d.year != today.year:
        text += f", {d.year}"
    return text
