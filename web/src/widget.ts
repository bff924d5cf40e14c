// The clinic's chat widget. Embed with one tag:
//   <script src=".../widget.js" data-server="http://localhost:5005" defer></script>
// Optional attributes: data-clinic-name, data-clinic-phone, data-booking-url,
// data-emergency-number, data-socket-path (default /socket.io/),
// data-stylesheet (default: widget.css next to widget.js).
//
// It talks only to data-server (Rasa's socket.io channel) and renders every
// message as text.
//
// This file puts the parts together: the panel and launcher here, the server
// link in connection.ts, the conversation in transcript.ts (wait-plan cards in
// plan_card.ts).

import { Connection, ConnectionState } from "./connection";
import { el, srOnly } from "./dom";
import { deleteOnServer } from "./forget";
import { randomId } from "./ics";
import { botMessagesFrom, ChatMessage } from "./messages";
import { StoredState, Store } from "./store";
import { safeHttpUrl } from "./text";
import { buildNotice, Transcript } from "./transcript";

interface Config {
  server: string;
  socketPath: string;
  clinicName: string;
  clinicPhone: string;
  bookingUrl: string | null;
  emergencyNumber: string;
  stylesheet: string | null;
}

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

const STATUS_LABELS: Record<ConnectionState, string> = {
  idle: "Not connected",
  connecting: "Connecting…",
  online: "Online",
  offline: "Offline, reconnecting…",
};

class ChatWidget {
  private readonly store: Store;
  private state: StoredState;
  private readonly connection: Connection;
  private transcript!: Transcript;

  private root!: HTMLDivElement;
  private launcher!: HTMLButtonElement;
  private panel!: HTMLElement;
  private statusText!: HTMLSpanElement;
  private notice!: HTMLElement;
  private aboutButton!: HTMLButtonElement;
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
    this.connection = new Connection(config.server, config.socketPath, {
      state: () => this.state,
      save: () => this.save(),
      status: (state) => {
        this.showStatus(state);
        if (state === "online") void this.deleteOnServer();
      },
      messageStatus: (message) => this.transcript.update(message),
      waiting: (waiting) => this.transcript.setTyping(waiting),
      botEvent: (data) => this.receive(data),
    });
  }

  private freshState(): StoredState {
    return { v: 1, sessionId: randomId(), messages: [], noticeSeen: false, open: false };
  }

  mount(): void {
    this.build();
    document.body.appendChild(this.root);
    this.loadStylesheet();
    this.transcript.render(this.state.messages);
    if (this.state.open) this.open(false);
    else if (this.state.messages.some((m) => m.status === "queued")) this.connection.connect();
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

    this.notice = buildNotice(this.config, {
      dismiss: () => {
        this.state.noticeSeen = true;
        this.save();
        this.toggleNotice(false);
        this.input.focus();
      },
      forget: () => this.forget(),
    });

    this.transcript = new Transcript({
      config: this.config,
      isShown: () => this.isOpen(),
      focusInput: () => this.input.focus(),
      send: (text, payload) => this.send(text, payload),
      retry: (message) => this.retry(message),
    });

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
      this.transcript.log,
      this.transcript.typing,
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

  /** The status line and the offline notice follow the connection. */
  private showStatus(state: ConnectionState): void {
    const status = this.statusText.parentElement as HTMLElement;
    if (this.statusText.textContent !== STATUS_LABELS[state]) this.statusText.textContent = STATUS_LABELS[state];
    status.setAttribute("data-state", state);
    this.offline.hidden = state !== "offline";
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
    this.transcript.scrollToEnd(true);
    this.connection.connect();
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

  /** "Delete chat": here, and the clinic server's copy (POST /webhooks/socketio/forget). */
  private forget(): void {
    const pending = [...(this.state.forget ?? []), this.state.sessionId].slice(-10);
    this.store.clear();
    this.state = { ...this.freshState(), noticeSeen: false, open: true, forget: pending };
    this.connection.dropPending();
    this.transcript.clear();
    this.transcript.setTyping(this.connection.waiting);
    this.save();
    this.connection.newSession();
    this.input.focus();
    void this.deleteOnServer();
  }

  /** Deletes the server's copy of each deleted chat; kept for later if the server can't be reached. */
  private async deleteOnServer(): Promise<void> {
    const gone = await deleteOnServer(this.config.server, [...(this.state.forget ?? [])]);
    if (gone.length === 0) return;
    this.state.forget = (this.state.forget ?? []).filter((id) => !gone.includes(id));
    this.save();
  }


  // ---------------------------------------------------------------- messages

  private send(text: string, payload?: string): void {
    this.transcript.dropQuickReplies(this.state.messages);
    if (!this.state.noticeSeen) {
      // Sending a message counts as having read the notice; "About" shows it again.
      this.state.noticeSeen = true;
      this.toggleNotice(false);
    }
    const message: ChatMessage = { id: randomId(8), from: "user", text, payload, status: "queued", ts: Date.now() };
    this.state.messages.push(message);
    this.transcript.append(message);
    this.transcript.scrollToEnd(true);
    this.save();
    this.connection.connect();
    this.connection.flush();
  }

  private receive(data: unknown): void {
    const messages = botMessagesFrom(data, () => randomId(8));
    if (!messages.length) return;
    const stick = this.transcript.nearEnd();
    for (const message of messages) {
      this.state.messages.push(message);
      this.transcript.append(message);
    }
    this.save();
    this.transcript.scrollToEnd(stick);
  }

  private retry(message: ChatMessage): void {
    this.connection.requeue(message);
    this.input.focus();
    this.connection.flush();
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
