// The conversation as the patient sees it: message bubbles, quick-reply
// buttons, the send status under their own messages, the typing indicator,
// and the notice about this chat. Only rendering and scrolling live here;
// what is sent and stored is the widget's and the connection's business.

import { Child, el, srOnly } from "./dom";
import { ChatMessage } from "./messages";
import { PlanCardConfig, renderPlanCard } from "./plan_card";
import { appendText } from "./text";

export interface TranscriptHost {
  readonly config: PlanCardConfig;
  /** A hidden panel can't be scrolled: scrolling waits until it is open. */
  isShown(): boolean;
  focusInput(): void;
  /** A quick reply was chosen. */
  send(text: string, payload: string): void;
  /** The patient asked to send a failed message again. */
  retry(message: ChatMessage): void;
}

export class Transcript {
  readonly log: HTMLDivElement;
  readonly typing: HTMLDivElement;
  private pinned = true;

  constructor(private readonly host: TranscriptHost) {
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
  }

  render(messages: ChatMessage[]): void {
    this.log.replaceChildren();
    for (const message of messages) this.append(message);
  }

  clear(): void {
    this.log.replaceChildren();
  }

  append(message: ChatMessage): void {
    this.log.appendChild(this.renderMessage(message));
  }

  /** Shows a user message's new send status. */
  update(message: ChatMessage): void {
    const node = this.log.querySelector<HTMLElement>(`[data-id="${CSS.escape(message.id)}"]`);
    if (!node) return;
    const meta = node.querySelector<HTMLElement>(".cw-meta");
    if (meta) this.fillMeta(meta, message);
  }

  /** Suggested replies belong to the latest bot turn only. */
  dropQuickReplies(messages: ChatMessage[]): void {
    const active = document.activeElement;
    if (active && active.closest && active.closest(".cw-quick")) this.host.focusInput();
    for (const message of messages) delete message.quickReplies;
    this.log.querySelectorAll(".cw-quick").forEach((node) => node.remove());
  }

  setTyping(waiting: boolean): void {
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

  nearEnd(): boolean {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
  }

  /** Scrolls the transcript, never moves focus. */
  scrollToEnd(force: boolean): void {
    if (!force || !this.host.isShown()) return;
    this.log.scrollTop = this.log.scrollHeight;
    this.pinned = true;
  }

  private renderMessage(message: ChatMessage): HTMLElement {
    const node = el("div", { class: `cw-msg cw-msg--${message.from}`, "data-id": message.id });
    if (message.plan) {
      node.classList.add("cw-msg--card");
      node.appendChild(renderPlanCard(message.id, message.plan, this.host.config));
      return node;
    }
    if (message.text) {
      const bubble = el("div", { class: "cw-bubble" }, srOnly(message.from === "user" ? "You said: " : "Assistant: "));
      appendText(bubble, message.text, message.from === "bot" ? this.host.config.bookingUrl : null);
      node.appendChild(bubble);
    }
    if (message.from === "bot" && message.quickReplies && message.quickReplies.length) {
      const group = el("div", { class: "cw-quick", role: "group", "aria-label": "Suggested replies" });
      for (const reply of message.quickReplies) {
        const button = el("button", { class: "cw-chip", type: "button" }, reply.title);
        button.addEventListener("click", () => this.host.send(reply.title, reply.payload));
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
      retry.addEventListener("click", () => this.host.retry(message));
      meta.append("Not sent: the connection was lost. ", retry);
    }
    meta.hidden = !meta.childNodes.length;
  }
}

export interface NoticeConfig {
  clinicName: string;
  clinicPhone: string;
  emergencyNumber: string;
}

export interface NoticeActions {
  /** "Got it". */
  dismiss(): void;
  /** "Delete chat": from this device and the clinic's chat server. */
  forget(): void;
}

/** The notice about this chat (what it is for, what it stores); starts hidden. */
export function buildNotice(config: NoticeConfig, actions: NoticeActions): HTMLElement {
  const { clinicName, clinicPhone, emergencyNumber } = config;
  const contact: Child[] = clinicPhone
    ? [
        `For your own situation, call ${clinicName} at `,
        el("a", { href: `tel:${clinicPhone.replace(/[^0-9+]/g, "")}`, class: "cw-link" }, clinicPhone),
        ".",
      ]
    : [`For your own situation, contact ${clinicName}.`];
  const ok = el("button", { class: "cw-btn", type: "button" }, "Got it");
  ok.addEventListener("click", () => actions.dismiss());
  const forget = el("button", { class: "cw-btn cw-btn--secondary", type: "button" }, "Delete chat");
  forget.addEventListener("click", () => actions.forget());
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
        "The clinic's chat server also keeps the conversation so the assistant can follow it, and deletes it after " +
        "a period without messages. Delete chat removes it from both.",
    ),
    el("div", { class: "cw-notice-actions" }, ok, forget),
  );
  notice.hidden = true;
  return notice;
}
