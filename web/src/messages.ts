// What the bot sends over socket.io, turned into the widget's own message
// records (which are also what the transcript in localStorage holds).

import { parseIsoDate } from "./dates";

export interface QuickReply {
  title: string;
  payload: string;
}

export interface WaitPlan {
  previous_treatment: string;
  previous_date: string;
  next_treatment: string;
  earliest_date: string;
  ideal_window: [string, string];
  days_remaining: number;
  timezone?: string;
}

export type SendStatus = "queued" | "sending" | "sent" | "failed";

export interface ChatMessage {
  id: string;
  from: "user" | "bot";
  text?: string;
  /** What was sent to the server, when it differs from the text shown (quick replies). */
  payload?: string;
  quickReplies?: QuickReply[];
  plan?: WaitPlan;
  status?: SendStatus;
  ts: number;
}

function asString(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function quickRepliesFrom(raw: unknown): QuickReply[] {
  if (!Array.isArray(raw)) return [];
  const replies: QuickReply[] = [];
  for (const item of raw) {
    if (!item || typeof item !== "object") continue;
    const title = asString((item as Record<string, unknown>).title);
    const payload = asString((item as Record<string, unknown>).payload);
    if (title && payload) replies.push({ title, payload });
  }
  return replies;
}

/** Accepts the wait_plan contract; anything malformed gives null. */
export function parseWaitPlan(raw: unknown): WaitPlan | null {
  if (!raw || typeof raw !== "object") return null;
  const r = raw as Record<string, unknown>;
  const window = r.ideal_window;
  const days = typeof r.days_remaining === "number" ? r.days_remaining : Number(r.days_remaining);
  if (
    !asString(r.previous_treatment) ||
    !asString(r.next_treatment) ||
    !parseIsoDate(r.previous_date) ||
    !parseIsoDate(r.earliest_date) ||
    !Array.isArray(window) ||
    window.length !== 2 ||
    !parseIsoDate(window[0]) ||
    !parseIsoDate(window[1]) ||
    !Number.isFinite(days)
  ) {
    return null;
  }
  return {
    previous_treatment: r.previous_treatment as string,
    previous_date: r.previous_date as string,
    next_treatment: r.next_treatment as string,
    earliest_date: r.earliest_date as string,
    ideal_window: [window[0] as string, window[1] as string],
    days_remaining: Math.max(0, Math.round(days)),
    timezone: asString(r.timezone) ?? undefined,
  };
}

/**
 * The wait plan inside one bot event, wherever the channel put it:
 * `{"custom": {"wait_plan": …}}` (this project's channel, like the REST
 * channel), `{"wait_plan": …}` or `{"data": {"wait_plan": …}}`.
 */
function findWaitPlan(data: Record<string, unknown>): WaitPlan | null {
  const candidates: unknown[] = [];
  for (const key of ["custom", "data"]) {
    const inner = data[key];
    if (inner && typeof inner === "object") candidates.push((inner as Record<string, unknown>).wait_plan);
  }
  candidates.push(data.wait_plan);
  for (const candidate of candidates) {
    const plan = parseWaitPlan(candidate);
    if (plan) return plan;
  }
  return null;
}

/** One `bot_uttered` event → zero or more messages to show. */
export function botMessagesFrom(data: unknown, newId: () => string): ChatMessage[] {
  if (!data || typeof data !== "object") return [];
  const d = data as Record<string, unknown>;
  const out: ChatMessage[] = [];
  const text = asString(d.text);
  const replies = quickRepliesFrom(d.quick_replies ?? d.buttons);
  if (text && text.trim()) {
    out.push({ id: newId(), from: "bot", text, quickReplies: replies.length ? replies : undefined, ts: Date.now() });
  } else if (replies.length) {
    out.push({ id: newId(), from: "bot", text: "", quickReplies: replies, ts: Date.now() });
  }
  const plan = findWaitPlan(d);
  if (plan) out.push({ id: newId(), from: "bot", plan, ts: Date.now() });
  return out;
}

/** Messages read back from localStorage: keep only well-formed ones. */
export function sanitizeStored(raw: unknown): ChatMessage[] {
  if (!Array.isArray(raw)) return [];
  const out: ChatMessage[] = [];
  const statuses: SendStatus[] = ["queued", "sending", "sent", "failed"];
  for (const item of raw) {
    if (!item || typeof item !== "object") continue;
    const m = item as Record<string, unknown>;
    if ((m.from !== "user" && m.from !== "bot") || typeof m.id !== "string" || !/^[0-9a-f]{1,64}$/.test(m.id)) continue;
    const message: ChatMessage = { id: m.id, from: m.from, ts: typeof m.ts === "number" ? m.ts : 0 };
    if (typeof m.text === "string") message.text = m.text;
    if (typeof m.payload === "string") message.payload = m.payload;
    if (m.from === "user") {
      message.status = statuses.includes(m.status as SendStatus) ? (m.status as SendStatus) : "sent";
    }
    const replies = quickRepliesFrom(m.quickReplies);
    if (replies.length) message.quickReplies = replies;
    if (m.plan !== undefined) {
      const plan = parseWaitPlan(m.plan);
      if (!plan) continue;
      message.plan = plan;
    }
    if (message.text === undefined && !message.plan && !message.quickReplies) continue;
    out.push(message);
  }
  return out;
}
