"""The clinic protocol: one YAML file, read into typed values.

Everything the assistant says about timing, contact details and emergencies
comes from here, so a change in `clinic/protocol.yml` reaches the answers,
the date computation and every channel at once.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping
from zoneinfo import ZoneInfo

import yaml

CLINIC_DIR = Path(__file__).resolve().parent
DEFAULT_PROTOCOL_PATH = CLINIC_DIR / "protocol.yml"
# Deployments can point at another file without editing the repository.
PROTOCOL_PATH_ENV = "CLINIC_PROTOCOL"

TREATMENTS = ("botox", "microneedling")
TREATMENT_NAMES = {"botox": "Botox", "microneedling": "microneedling"}


def other_treatment(treatment: str) -> str:
    """botox -> microneedling and back."""
    if treatment not in TREATMENTS:
        raise ValueError(f"unknown treatment {treatment!r}; expected one of {TREATMENTS}")
    return TREATMENTS[1 - TREATMENTS.index(treatment)]


class ProtocolError(ValueError):
    """The protocol file is missing a value or has one that makes no sense."""


@dataclass(frozen=True)
class Interval:
    """How long to wait after one treatment before the other, in days."""

    min_days: int
    ideal_max_days: int


@dataclass(frozen=True)
class DateRules:
    """How the clinic reads dates: "11/10" month first or not, and how far
    ahead a date may be before it is refused as probably mistyped."""

    month_first: bool = True
    max_days_ahead: int = 365


@dataclass(frozen=True)
class ReminderRules:
    """When reminders go out, in the clinic's local time (protocol.yml `reminders`):
    at `send_at` on the day, never in the quiet hours [quiet_start, quiet_end)."""

    send_at: dt.time = dt.time(10, 0)
    quiet_start: dt.time = dt.time(20, 0)
    quiet_end: dt.time = dt.time(9, 0)
    max_attempts: int = 5
    retry_after_seconds: int = 60


@dataclass(frozen=True)
class ClinicProtocol:
    clinic_name: str
    city: str
    phone: str
    booking_url: str
    timezone: str
    emergency_number: str
    nurse_line: str
    intervals: Dict[str, Interval]  # keyed "botox_to_microneedling" etc.
    date_rules: DateRules
    # Days without a message after which a conversation is deleted (clinic/privacy.py).
    retention_days: int
    reminders: ReminderRules = ReminderRules()

    def interval(self, previous: str, following: str) -> Interval:
        """The waiting rule for `following` after `previous`."""
        try:
            return self.intervals[f"{previous}_to_{following}"]
        except KeyError:
            raise ProtocolError(f"no interval for {previous} -> {following}") from None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def template_values(self) -> Dict[str, Any]:
        """Values answers may name in braces, e.g. {clinic_phone}."""
        values: Dict[str, Any] = {
            "clinic_name": self.clinic_name,
            "clinic_city": self.city,
            "clinic_phone": self.phone,
            "booking_url": self.booking_url,
            "emergency_number": self.emergency_number,
            "nurse_line": self.nurse_line,
        }
        for key, interval in self.intervals.items():
            values[f"{key}_min_days"] = interval.min_days
            values[f"{key}_ideal_max_days"] = interval.ideal_max_days
            values[f"{key}_min_weeks"] = _weeks(interval.min_days)
            values[f"{key}_ideal_max_weeks"] = _weeks(interval.ideal_max_days)
        return values


def _weeks(days: int) -> str:
    """14 -> "2", 10 -> "1.5" (rounded to half weeks, for plain speech)."""
    halves = round(days / 3.5)
    return str(halves // 2) if halves % 2 == 0 else f"{halves / 2:g}"


def _require(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(mapping, Mapping) or key not in mapping or mapping[key] in (None, ""):
        raise ProtocolError(f"clinic protocol: '{where}{key}' is missing")
    return mapping[key]


def parse_protocol(raw: Mapping[str, Any]) -> ClinicProtocol:
    """Validate the YAML structure; raise ProtocolError naming the bad key."""
    clinic = _require(raw, "clinic", "")
    emergency = _require(raw, "emergency", "")
    dates = raw.get("dates") or {}
    intervals: Dict[str, Interval] = {}
    for previous in TREATMENTS:
        for following in TREATMENTS:
            if previous == following:
                continue
            key = f"{previous}_to_{following}"
            entry = _require(_require(raw, "intervals", ""), key, "intervals.")
            min_days = int(_require(entry, "min_days", f"intervals.{key}."))
            ideal_max = int(_require(entry, "ideal_max_days", f"intervals.{key}."))
            if not 0 < min_days <= ideal_max:
                raise ProtocolError(
                    f"clinic protocol: intervals.{key} needs 0 < min_days <= ideal_max_days"
                )
            intervals[key] = Interval(min_days, ideal_max)
    timezone = str(clinic.get("timezone") or "America/Vancouver")
    try:
        ZoneInfo(timezone)
    except Exception as error:  # ZoneInfoNotFoundError or a malformed key
        raise ProtocolError(f"clinic protocol: unknown time zone '{timezone}'") from error
    retention_days = int(_require(_require(raw, "privacy", ""), "retention_days", "privacy."))
    if retention_days < 1:
        raise ProtocolError("clinic protocol: privacy.retention_days must be at least 1")
    return ClinicProtocol(
        clinic_name=str(_require(clinic, "name", "clinic.")),
        city=str(clinic.get("city") or ""),
        phone=str(_require(clinic, "phone", "clinic.")),
        booking_url=str(_require(clinic, "booking_url", "clinic.")),
        timezone=timezone,
        emergency_number=str(emergency.get("emergency_number") or "911"),
        nurse_line=str(emergency.get("nurse_line") or "811"),
        intervals=intervals,
        date_rules=DateRules(
            month_first=bool(dates.get("month_first", DateRules.month_first)),
            max_days_ahead=int(dates.get("max_days_ahead", DateRules.max_days_ahead)),
        ),
        retention_days=retention_days,
        reminders=_reminder_rules(raw.get("reminders") or {}),
    )


def _clock(value: Any, key: str, default: dt.time) -> dt.time:
    if value in (None, ""):
        return default
    try:
        hours, minutes = str(value).split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise ProtocolError(f"clinic protocol: 'reminders.{key}' must be a time like \"10:00\"") from None


def _reminder_rules(raw: Mapping[str, Any]) -> ReminderRules:
    quiet = raw.get("quiet_hours") or {}
    default = ReminderRules()
    rules = ReminderRules(
        send_at=_clock(raw.get("send_at"), "send_at", default.send_at),
        quiet_start=_clock(quiet.get("start"), "quiet_hours.start", default.quiet_start),
        quiet_end=_clock(quiet.get("end"), "quiet_hours.end", default.quiet_end),
        max_attempts=int(raw.get("max_attempts") or default.max_attempts),
        retry_after_seconds=int(raw.get("retry_after_seconds") or default.retry_after_seconds),
    )
    if rules.max_attempts < 1 or rules.retry_after_seconds < 1:
        raise ProtocolError("clinic protocol: reminders.max_attempts and retry_after_seconds must be >= 1")
    return rules


def protocol_path() -> Path:
    return Path(os.environ.get(PROTOCOL_PATH_ENV) or DEFAULT_PROTOCOL_PATH)


def load_protocol(path: Path | None = None) -> ClinicProtocol:
    """Read and validate a protocol file (the default one if no path)."""
    source = path or protocol_path()
    with open(source, encoding="utf-8") as handle:
        return parse_protocol(yaml.safe_load(handle) or {})


@lru_cache(maxsize=1)
def current_protocol() -> ClinicProtocol:
    """The protocol the running servers use, read once per process."""
    return load_protocol()
