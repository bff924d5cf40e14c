// The clinic's chat widget. Embed with one tag:
//   <script src=".../widget.js" data-server="http://localhost:5005" defer></script>
// Optional attributes: data-clinic-name, data-clinic-phone, data-booking-url,
// data-emergency-number, data-socket-path (default /socket.io/),
// data-stylesheet (default: widget.css next to widget.js).
//
// It talks only to data-server (Rasa's socket.io channel) and renders every
// message as text.

import { io, Socket } from "socket.io-client";
import { formatLongDate, parseIsoDate } from "./dates";
import { buildAllDayEvent, downloadFile, randomId } from "./ics";
import { botMessagesFrom, ChatMessage, WaitPlan } from "./messages";
import { StoredState, Store } from "./store";
import { appendText, safeHttpUrl } from "./text";

interface Config {
  server: string;
  socketPath: string;
  clinicName: string;
  clinicPhone: string;
  bookingUrl: string | null;
  emergencyNumber: string;
  stylesheet: string | null;
}

type Connection = "idle" | "connecting" | "online" | "offline";

const USER_EVENT = "user_uttered";
const BOT_EVENT = "bot_uttered";
const TREATMENT_NAMES: Record<string, string> = { botox: "Botox", microneedling: "microneedling" };

const currentScript = document.currentScript as HTMLScriptElement | null;

function readConfig(script: HTMLScriptElement | null): Config {
  const data = script ? script.dataset : ({} as DOMStringMap);
  let stylesheet: string | null = data.stylesheet ?? null;
  if (!stylesheet && script && script.src) {
    stylesheet = new URL("widget.css", script.src).href;
  }
  return {
    server: (data.server || "http://localhost:5005").replace(/\/+$/, ""),
    socketPath: data.socketPath || "/socket.io/",
    clinicName: data.clinicName || "the clinic",
    clinicPhone: data.clinicPhone || "",
    bookingUrl: safeHttpUrl(data.bookingUrl),
    emergencyNumber: data.emergencyNumber || "911",
    stylesheet,
  };
}

type Child = Node | string | null | undefined | false;

/** Creates an element; strings become text nodes (never HTML). */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function srOnly(text: string): HTMLSpanElement {
  return el("span", { class: "cw-sr" }, text);
}

function treatmentName(key: string, capital = false): string {
  const name = TREATMENT_NAMES[key.toLowerCase()] ?? key;
  return capital ? name.charAt(0).toUpperCase() + name.slice(1) : name;
}

function longDate(iso: string): string {
  const date = parseIsoDate(iso);
  return date ? formatLongDate(date) : iso;
}

const CHAT_ICON =
  "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";

function icon(path: string): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "cw-icon");
  const shape = document.createElementNS(ns, "path");
  shape.setAttribute("d", path);
  svg.appendChild(shape);
  return svg;
}

class ChatWidget {
  private readonly store: Store;
  private state: StoredState;
  private socket: Socket | null = null;
  private connection: Connection = "idle";
  private sessionReady = false;
  private readonly awaitingAck = new Set<string>();
  private pinned = true;

  private root!: HTMLDivElement;
  private launcher!: HTMLButtonElement;
  private panel!: HTMLElement;
  private statusText!: HTMLSpanElement;
  private notice!: HTMLElement;
  private aboutButton!: HTMLButtonElement;
  private log!: HTMLDivElement;
  private typing!: HTMLDivElement;
  private offline!: HTMLParagraphElement;
  private input!: HTMLInputElement;

  constructor(private readonly config: Config) {
    this.store = new Store(`clinicChat:v1:${config.server}`);
    this.state = this.store.load(() => this.freshState());
    // A message that was on its way when the page went away may or may not
    // have arrived: say so instead of guessing.
    for (const message of this.state.messages) {
      if (message.status === "sending") message.status = "failed";
    }
  }

  private freshState(): StoredState {
    return { v: 1, sessionId: randomId(), messages: [], noticeSeen: false, open: false };
  }

  mount(): void {
    this.build();
    document.body.appendChild(this.root);
    this.loadStylesheet();
    this.renderTranscript();
    if (this.state.open) this.open(false);
    else if (this.state.messages.some((m) => m.status === "queued")) this.connect();
  }

  // ---------------------------------------------------------------- DOM

  private build(): void {
    const clinic = this.config.clinicName;
    this.root = el("div", { class: "cw-root", "data-clinic-chat": "" });
    this.root.hidden = true; // until the stylesheet is in

    this.launcher = el(
      "button",
      { class: "cw-launcher", type: "button", "aria-expanded": "false", "aria-controls": "cw-panel" },
      icon(CHAT_ICON),
      el("span", { class: "cw-launcher-text" }, "Chat with us"),
      srOnly(" about Botox and microneedling"),
    );
    this.launcher.addEventListener("click", () => (this.isOpen() ? this.close(true) : this.open(true)));

    this.statusText = el("span", { class: "cw-status-text" }, "Not connected");
    const status = el(
      "p",
      { class: "cw-status", role: "status", "data-state": "idle" },
      el("span", { class: "cw-dot", "aria-hidden": "true" }),
      this.statusText,
    );

    this.aboutButton = el(
      "button",
      {
        class: "cw-iconbtn cw-about",
        type: "button",
        "aria-label": "About this chat",
        "aria-expanded": "false",
        "aria-controls": "cw-notice",
      },
      "About",
    );
    this.aboutButton.addEventListener("click", () => this.toggleNotice(this.notice.hidden));
    const closeButton = el("button", { class: "cw-iconbtn cw-close", type: "button", "aria-label": "Close chat" });
    closeButton.appendChild(el("span", { "aria-hidden": "true" }, "×"));
    closeButton.addEventListener("click", () => this.close(true));

    const header = el(
      "div",
      { class: "cw-header" },
      el(
        "div",
        { class: "cw-heading" },
        el("h2", { class: "cw-title", id: "cw-title" }, "Treatment questions"),
        el("p", { class: "cw-subtitle" }, clinic),
        status,
      ),
      el("div", { class: "cw-header-actions" }, this.aboutButton, closeButton),
    );

    this.notice = this.buildNotice();

    this.log = el("div", {
      class: "cw-log",
      role: "log",
      "aria-live": "polite",
      "aria-label": "Conversation",
      tabindex: "0",
    });

    // Stay at the newest message when the panel changes size (rotation, zoom,
    // the notice closing) if the patient was reading the end.
    // A scroll caused by the resize itself (the browser clamping scrollTop)
    // says nothing about where the patient was reading, so it is ignored.
    const size = () => `${this.log.clientWidth}x${this.log.clientHeight}`;
    let lastSize = "";
    this.log.addEventListener(
      "scroll",
      () => {
        if (size() === lastSize) this.pinned = this.nearEnd();
      },
      { passive: true },
    );
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(() => {
        lastSize = size();
        if (this.pinned) this.scrollToEnd(true);
      }).observe(this.log);
    }

    this.typing = el(
      "div",
      { class: "cw-typing", role: "status" },
    );
    this.typing.hidden = true;

    this.offline = el(
      "p",
      { class: "cw-offline" },
      "Can't reach the clinic's chat server. Reconnecting automatically; messages you send now are kept and sent when the connection is back.",
    );
    this.offline.hidden = true;

    this.input = el("input", {
      class: "cw-input",
      id: "cw-input",
      type: "text",
      autocomplete: "off",
      maxlength: "1000",
      enterkeyhint: "send",
      placeholder: "Type your question",
    });
    const form = el(
      "form",
      { class: "cw-form" },
      el("label", { class: "cw-sr", for: "cw-input" }, "Your question"),
      this.input,
      el("button", { class: "cw-send", type: "submit" }, "Send"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = "";
      this.send(text);
    });

    this.panel = el(
      "section",
      { class: "cw-panel", id: "cw-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "cw-title" },
      header,
      this.notice,
      this.log,
      this.typing,
      this.offline,
      form,
    );
    this.panel.hidden = true;

    this.root.append(this.panel, this.launcher);
    this.root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.isOpen()) {
        event.preventDefault();
        event.stopPropagation();
        this.close(true);
      }
    });
  }

  private buildNotice(): HTMLElement {
    const { clinicName, clinicPhone, emergencyNumber } = this.config;
    const contact: Child[] = clinicPhone
      ? [
          `For your own situation, call ${clinicName} at `,
          el("a", { href: `tel:${clinicPhone.replace(/[^0-9+]/g, "")}`, class: "cw-link" }, clinicPhone),
          ".",
        ]
      : [`For your own situation, contact ${clinicName}.`];
    const ok = el("button", { class: "cw-btn", type: "button" }, "Got it");
    ok.addEventListener("click", () => {
      this.state.noticeSeen = true;
      this.save();
      this.toggleNotice(false);
      this.input.focus();
    });
    const forget = el("button", { class: "cw-btn cw-btn--secondary", type: "button" }, "Delete chat from this device");
    forget.addEventListener("click", () => this.forget());
    const notice = el(
      "div",
      { class: "cw-notice", id: "cw-notice", role: "region", "aria-label": "About this chat" },
      el(
        "p",
        {},
        el("strong", {}, "Educational information, not medical advice. "),
        "This assistant answers general questions about Botox and microneedling; it can't give personal medical advice. ",
        ...contact,
        ` In an emergency, call ${emergencyNumber}.`,
      ),
      el(
        "p",
        {},
        el("strong", {}, "What this chat stores: "),
        "a random chat ID and this conversation, in this browser's local storage, so the chat continues after a reload. " +
          "The clinic's chat server also keeps the conversation so the assistant can follow it.",
      ),
      el("div", { class: "cw-notice-actions" }, ok, forget),
    );
    notice.hidden = true;
    return notice;
  }

  private loadStylesheet(): void {
    const show = () => {
      this.root.hidden = false;
    };
    const href = this.config.stylesheet;
    if (!href) return show();
    const existing = Array.from(document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')).find(
      (link) => link.href === href,
    );
    if (existing) return show();
    const link = el("link", { rel: "stylesheet", href });
    link.addEventListener("load", show);
    link.addEventListener("error", show);
    window.setTimeout(show, 3000);
    document.head.appendChild(link);
  }

  // ---------------------------------------------------------------- panel

  private isOpen(): boolean {
    return !this.panel.hidden;
  }

  open(moveFocus: boolean): void {
    this.panel.hidden = false;
    this.root.classList.add("cw-open");
    this.launcher.setAttribute("aria-expanded", "true");
    this.toggleNotice(!this.state.noticeSeen);
    this.state.open = true;
    this.save();
    this.scrollToEnd(true);
    this.connect();
    if (moveFocus) this.input.focus();
  }

  close(returnFocus: boolean): void {
    this.panel.hidden = true;
    this.root.classList.remove("cw-open");
    this.launcher.setAttribute("aria-expanded", "false");
    this.state.open = false;
    this.save();
    if (returnFocus) this.launcher.focus();
  }

  private toggleNotice(show: boolean): void {
    this.notice.hidden = !show;
    this.aboutButton.setAttribute("aria-expanded", String(show));
    if (show) this.panel.setAttribute("aria-describedby", "cw-notice");
    else this.panel.removeAttribute("aria-describedby");
  }

  private forget(): void {
    this.store.clear();
    this.state = { ...this.freshState(), noticeSeen: false, open: true };
    this.awaitingAck.clear();
    this.log.replaceChildren();
    this.updateTyping();
    this.save();
    if (this.socket) {
      // New chat id: ask the server for a new session.
      this.sessionReady = false;
      this.socket.disconnect();
      this.socket.connect();
    }
    this.input.focus();
  }

  // ---------------------------------------------------------------- connection

  private connect(): void {
    if (this.socket) return;
    this.setConnection("connecting");
    const socket = io(this.config.server, {
      path: this.config.socketPath,
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      timeout: 10000,
    });
    this.socket = socket;

    socket.on("connect", () => {
      this.sessionReady = false;
      this.setConnection("connecting");
      socket.emit("session_request", { session_id: this.state.sessionId });
    });
    socket.on("session_confirm", (confirmed: unknown) => {
      const id =
        typeof confirmed === "string"
          ? confirmed
          : confirmed && typeof confirmed === "object"
            ? (confirmed as Record<string, unknown>).session_id
            : null;
      if (typeof id === "string" && id) this.state.sessionId = id;
      this.sessionReady = true;
      this.setConnection("online");
      this.save();
      this.flush();
    });
    socket.on(BOT_EVENT, (data: unknown) => this.receive(data));
    socket.on("disconnect", (reason: string) => {
      this.sessionReady = false;
      this.failUnconfirmed();
      this.setConnection("offline");
      if (reason === "io server disconnect") {
        // The server closed the session on purpose: socket.io won't retry by itself.
        window.setTimeout(() => socket.connect(), 2000);
      }
    });
    socket.on("connect_error", () => {
      this.setConnection("offline");
      if (!socket.active) window.setTimeout(() => socket.connect(), 5000);
    });
  }

  private setConnection(state: Connection): void {
    this.connection = state;
    const labels: Record<Connection, string> = {
      idle: "Not connected",
      connecting: "Connecting…",
      online: "Online",
      offline: "Offline, reconnecting…",
    };
    const status = this.statusText.parentElement as HTMLElement;
    if (this.statusText.textContent !== labels[state]) this.statusText.textContent = labels[state];
    status.setAttribute("data-state", state);
    this.offline.hidden = state !== "offline";
    this.updateTyping();
  }

  /** Sends every queued message, in order, once the session is confirmed. */
  private flush(): void {
    const socket = this.socket;
    if (!socket || !socket.connected || !this.sessionReady) return;
    for (const message of this.state.messages) {
      if (message.from !== "user" || message.status !== "queued") continue;
      message.status = "sending";
      this.awaitingAck.add(message.id);
      this.updateMessage(message);
      // Rasa acknowledges after it has handled the message (its replies come first).
      socket.emit(USER_EVENT, { message: message.payload ?? message.text ?? "", session_id: this.state.sessionId }, () => {
        this.awaitingAck.delete(message.id);
        if (message.status === "sending") message.status = "sent";
        this.updateMessage(message);
        this.updateTyping();
        this.save();
      });
    }
    this.updateTyping();
    this.save();
  }

  /** The connection dropped before the server confirmed these: never pretend they arrived. */
  private failUnconfirmed(): void {
    for (const message of this.state.messages) {
      if (this.awaitingAck.has(message.id) && message.status === "sending") {
        message.status = "failed";
        this.updateMessage(message);
      }
    }
    this.awaitingAck.clear();
    this.save();
  }

  // ---------------------------------------------------------------- messages

  private send(text: string, payload?: string): void {
    this.dropQuickReplies();
    if (!this.state.noticeSeen) {
      // Sending a message counts as having read the notice; "About" shows it again.
      this.state.noticeSeen = true;
      this.toggleNotice(false);
    }
    const message: ChatMessage = { id: randomId(8), from: "user", text, payload, status: "queued", ts: Date.now() };
    this.state.messages.push(message);
    this.appendMessage(message);
    this.scrollToEnd(true);
    this.save();
    this.connect();
    this.flush();
  }

  private receive(data: unknown): void {
    const messages = botMessagesFrom(data, () => randomId(8));
    if (!messages.length) return;
    const stick = this.nearEnd();
    for (const message of messages) {
      this.state.messages.push(message);
      this.appendMessage(message);
    }
    this.save();
    this.scrollToEnd(stick);
  }

  private retry(message: ChatMessage): void {
    message.status = "queued";
    this.updateMessage(message);
    this.save();
    this.input.focus();
    this.flush();
  }

  /** Suggested replies belong to the latest bot turn only. */
  private dropQuickReplies(): void {
    const active = document.activeElement;
    if (active && active.closest && active.closest(".cw-quick")) this.input.focus();
    for (const message of this.state.messages) delete message.quickReplies;
    this.log.querySelectorAll(".cw-quick").forEach((node) => node.remove());
  }

  private renderTranscript(): void {
    this.log.replaceChildren();
    for (const message of this.state.messages) this.appendMessage(message);
  }

  private appendMessage(message: ChatMessage): void {
    this.log.appendChild(this.renderMessage(message));
  }

  private updateMessage(message: ChatMessage): void {
    const node = this.log.querySelector<HTMLElement>(`[data-id="${CSS.escape(message.id)}"]`);
    if (!node) return;
    const meta = node.querySelector<HTMLElement>(".cw-meta");
    if (meta) this.fillMeta(meta, message);
  }

  private renderMessage(message: ChatMessage): HTMLElement {
    const node = el("div", { class: `cw-msg cw-msg--${message.from}`, "data-id": message.id });
    if (message.plan) {
      node.classList.add("cw-msg--card");
      node.appendChild(this.renderPlan(message.id, message.plan));
      return node;
    }
    if (message.text) {
      const bubble = el("div", { class: "cw-bubble" }, srOnly(message.from === "user" ? "You said: " : "Assistant: "));
      appendText(bubble, message.text, message.from === "bot" ? this.config.bookingUrl : null);
      node.appendChild(bubble);
    }
    if (message.from === "bot" && message.quickReplies && message.quickReplies.length) {
      const group = el("div", { class: "cw-quick", role: "group", "aria-label": "Suggested replies" });
      for (const reply of message.quickReplies) {
        const button = el("button", { class: "cw-chip", type: "button" }, reply.title);
        button.addEventListener("click", () => this.send(reply.title, reply.payload));
        group.appendChild(button);
      }
      node.appendChild(group);
    }
    if (message.from === "user") {
      const meta = el("div", { class: "cw-meta" });
      this.fillMeta(meta, message);
      node.appendChild(meta);
    }
    return node;
  }

  private fillMeta(meta: HTMLElement, message: ChatMessage): void {
    meta.replaceChildren();
    meta.setAttribute("data-status", message.status ?? "sent");
    if (message.status === "queued") {
      meta.append("Not sent yet: waiting for the connection, will send automatically.");
    } else if (message.status === "failed") {
      const retry = el("button", { class: "cw-retry", type: "button" }, "Retry");
      retry.setAttribute("aria-label", "Retry sending this message");
      retry.addEventListener("click", () => this.retry(message));
      meta.append("Not sent: the connection was lost. ", retry);
    }
    meta.hidden = !meta.childNodes.length;
  }

  private renderPlan(id: string, plan: WaitPlan): HTMLElement {
    const titleId = `cw-plan-${id}`;
    const earliest = longDate(plan.earliest_date);
    const days = plan.days_remaining;
    const daysText = days <= 0 ? "0 days: you can book from now on" : days === 1 ? "1 day" : `${days} days`;
    const note = el("p", { class: "cw-plan-note", role: "status" });
    const calendar = el("button", { class: "cw-btn", type: "button" }, "Add to calendar");
    calendar.addEventListener("click", () => {
      this.downloadPlan(plan);
      note.textContent = "Calendar file downloaded.";
    });
    const actions = el("div", { class: "cw-plan-actions" }, calendar);
    if (this.config.bookingUrl) {
      actions.appendChild(
        el(
          "a",
          { class: "cw-btn cw-btn--secondary", href: this.config.bookingUrl, target: "_blank", rel: "noopener noreferrer" },
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

  private downloadPlan(plan: WaitPlan): void {
    const date = parseIsoDate(plan.earliest_date);
    if (!date) return;
    const next = treatmentName(plan.next_treatment);
    const previous = treatmentName(plan.previous_treatment);
    const description =
      `${treatmentName(plan.next_treatment, true)} after ${previous} on ${longDate(plan.previous_date)}. ` +
      `Earliest date: ${longDate(plan.earliest_date)}. ` +
      `Ideal window: ${longDate(plan.ideal_window[0])} to ${longDate(plan.ideal_window[1])}.` +
      (this.config.bookingUrl ? ` Book: ${this.config.bookingUrl}.` : "") +
      (this.config.clinicPhone ? ` Questions: ${this.config.clinicName}, ${this.config.clinicPhone}.` : "") +
      " General information, not medical advice.";
    const ics = buildAllDayEvent({
      date,
      summary: `Earliest date for ${next} (after ${previous})`,
      description,
      url: this.config.bookingUrl ?? undefined,
      prodId: `-//${this.config.clinicName.replace(/\/\//g, "/")}//Chat assistant//EN`,
      uid: `${randomId()}@${window.location.hostname || "clinic-chat"}`,
    });
    const slug = plan.next_treatment.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    downloadFile(`${slug}-earliest-${plan.earliest_date}.ics`, ics, "text/calendar;charset=utf-8");
  }

  // ---------------------------------------------------------------- helpers

  private updateTyping(): void {
    const waiting = this.awaitingAck.size > 0 && this.connection === "online";
    if (waiting === !this.typing.hidden) return;
    this.typing.hidden = !waiting;
    this.typing.replaceChildren();
    if (waiting) {
      this.typing.append(
        el("span", { class: "cw-dots", "aria-hidden": "true" }, el("span"), el("span"), el("span")),
        el("span", { class: "cw-typing-text" }, "The assistant is typing…"),
      );
      this.scrollToEnd(this.nearEnd());
    }
  }

  private nearEnd(): boolean {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
  }

  /** Scrolls the transcript, never moves focus. */
  private scrollToEnd(force: boolean): void {
    if (!force || this.panel.hidden) return;
    this.log.scrollTop = this.log.scrollHeight;
    this.pinned = true;
  }

  private save(): void {
    this.store.save(this.state);
  }
}

declare global {
  interface Window {
    __clinicChatWidget?: ChatWidget;
  }
}

function start(): void {
  if (window.__clinicChatWidget) return;
  const script =
    currentScript ?? document.querySelector<HTMLScriptElement>('script[src*="widget.js"][data-server]');
  const widget = new ChatWidget(readConfig(script));
  window.__clinicChatWidget = widget;
  widget.mount();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}
