// Calendar dates ("2026-11-17") as plain days: no time of day, no time zone
// shifts. All arithmetic is done in UTC so a patient's own zone never moves
// a date by one day.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface CalendarDate {
  year: number;
  month: number; // 1-12
  day: number;
}

export function parseIsoDate(value: unknown): CalendarDate | null {
  if (typeof value !== "string") return null;
  const match = ISO_DATE.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return null;
  }
  return { year, month, day };
}

function toUtc(date: CalendarDate): Date {
  return new Date(Date.UTC(date.year, date.month - 1, date.day));
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const moved = toUtc(date);
  moved.setUTCDate(moved.getUTCDate() + days);
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** "20261117", the iCalendar DATE form. */
export function icsDate(date: CalendarDate): string {
  return `${String(date.year).padStart(4, "0")}${String(date.month).padStart(2, "0")}${String(date.day).padStart(2, "0")}`;
}

/** "Tuesday, November 17" (with ", 2027" when the year is not this year). */
export function formatLongDate(date: CalendarDate, thisYear: number = new Date().getFullYear()): string {
  const options: Intl.DateTimeFormatOptions = {
    weekday: "long",
    month: "long",
    day: "numeric",
    timeZone: "UTC",
  };
  if (date.year !== thisYear) options.year = "numeric";
  return toUtc(date).toLocaleDateString("en-US", options);
}
