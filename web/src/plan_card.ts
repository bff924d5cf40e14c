// The wait-plan card: when the next treatment can be done, shown in the
// transcript, and an "Add to calendar" file for the earliest date, built in
// the browser (nothing is sent anywhere to make it).

import { formatLongDate, parseIsoDate } from "./dates";
import { el } from "./dom";
import { buildAllDayEvent, downloadFile, randomId } from "./ics";
import { WaitPlan } from "./messages";

/** The page's settings the card uses (the widget's config has them all). */
export interface PlanCardConfig {
  clinicName: string;
  clinicPhone: string;
  bookingUrl: string | null;
}

const TREATMENT_NAMES: Record<string, string> = { botox: "Botox", microneedling: "microneedling" };

function treatmentName(key: string, capital = false): string {
  const name = TREATMENT_NAMES[key.toLowerCase()] ?? key;
  return capital ? name.charAt(0).toUpperCase() + name.slice(1) : name;
}

function longDate(iso: string): string {
  const date = parseIsoDate(iso);
  return date ? formatLongDate(date) : iso;
}

/** The card for one plan; `id` is its message's id (unique titles for aria-labelledby). */
export function renderPlanCard(id: string, plan: WaitPlan, config: PlanCardConfig): HTMLElement {
  const titleId = `cw-plan-${id}`;
  const earliest = longDate(plan.earliest_date);
  const days = plan.days_remaining;
  const daysText = days <= 0 ? "0 days: you can book from now on" : days === 1 ? "1 day" : `${days} days`;
  const note = el("p", { class: "cw-plan-note", role: "status" });
  const calendar = el("button", { class: "cw-btn", type: "button" }, "Add to calendar");
  calendar.addEventListener("click", () => {
    downloadPlan(plan, config);
    note.textContent = "Calendar file downloaded.";
  });
  const actions = el("div", { class: "cw-plan-actions" }, calendar);
  if (config.bookingUrl) {
    actions.appendChild(
      el(
        "a",
        { class: "cw-btn cw-btn--secondary", href: config.bookingUrl, target: "_blank", rel: "noopener noreferrer" },
        "Book online",
      ),
    );
  }
  return el(
    "section",
    { class: "cw-plan", "aria-labelledby": titleId },
    el("h3", { class: "cw-plan-title", id: titleId }, `Your ${treatmentName(plan.next_treatment)} timing`),
    el(
      "p",
      { class: "cw-plan-lead" },
      `${treatmentName(plan.next_treatment, true)} after ${treatmentName(plan.previous_treatment)} on ${longDate(plan.previous_date)}`,
    ),
    el(
      "dl",
      { class: "cw-plan-facts" },
      el("div", {}, el("dt", {}, "Earliest date"), el("dd", {}, earliest)),
      el(
        "div",
        {},
        el("dt", {}, "Ideal window"),
        el("dd", {}, `${longDate(plan.ideal_window[0])} to ${longDate(plan.ideal_window[1])}`),
      ),
      el("div", {}, el("dt", {}, "Days remaining"), el("dd", {}, daysText)),
    ),
    actions,
    note,
  );
}

function downloadPlan(plan: WaitPlan, config: PlanCardConfig): void {
  const date = parseIsoDate(plan.earliest_date);
  if (!date) return;
  const next = treatmentName(plan.next_treatment);
  const previous = treatmentName(plan.previous_treatment);
  const description =
    `${treatmentName(plan.next_treatment, true)} after ${previous} on ${longDate(plan.previous_date)}. ` +
    `Earliest date: ${longDate(plan.earliest_date)}. ` +
    `Ideal window: ${longDate(plan.ideal_window[0])} to ${longDate(plan.ideal_window[1])}.` +
    (config.bookingUrl ? ` Book: ${config.bookingUrl}.` : "") +
    (config.clinicPhone ? ` Questions: ${config.clinicName}, ${config.clinicPhone}.` : "") +
    " General information, not medical advice.";
  const ics = buildAllDayEvent({
    date,
    summary: `Earliest date for ${next} (after ${previous})`,
    description,
    url: config.bookingUrl ?? undefined,
    prodId: `-//${config.clinicName.replace(/\/\//g, "/")}//Chat assistant//EN`,
    uid: `${randomId()}@${window.location.hostname || "clinic-chat"}`,
  });
  const slug = plan.next_treatment.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  downloadFile(`${slug}-earliest-${plan.earliest_date}.ics`, ics, "text/calendar;charset=utf-8");
}
