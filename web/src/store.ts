// What the widget keeps in this browser's localStorage, under one key per
// chat server: the session id (so a reload continues the same conversation),
// the transcript (so the history shows after a reload), whether the notice
// was read and whether the panel was open, and the ids of deleted chats whose
// server copy could not be deleted yet (retried when back online).

import { ChatMessage, sanitizeStored } from "./messages";

export interface StoredState {
  v: 1;
  sessionId: string;
  messages: ChatMessage[];
  noticeSeen: boolean;
  open: boolean;
  /** Deleted chats still to delete on the server. */
  forget?: string[];
}

const SESSION_ID = /^[A-Za-z0-9_-]{16,128}$/;

const MAX_MESSAGES = 200;

export class Store {
  private memoryOnly = false;

  constructor(private readonly key: string) {}

  load(fresh: () => StoredState): StoredState {
    try {
      const raw = window.localStorage.getItem(this.key);
      if (raw) {
        const parsed = JSON.parse(raw) as Partial<StoredState>;
        if (parsed && parsed.v === 1 && typeof parsed.sessionId === "string" && Array.isArray(parsed.messages)) {
          return {
            v: 1,
            sessionId: parsed.sessionId,
            messages: sanitizeStored(parsed.messages),
            noticeSeen: Boolean(parsed.noticeSeen),
            open: Boolean(parsed.open),
            forget: Array.isArray(parsed.forget)
              ? parsed.forget.filter((id): id is string => typeof id === "string" && SESSION_ID.test(id)).slice(-10)
              : [],
          };
        }
      }
    } catch {
      this.memoryOnly = true; // storage blocked or corrupt: keep going in memory
    }
    return fresh();
  }

  save(state: StoredState): void {
    if (this.memoryOnly) return;
    const trimmed = { ...state, messages: state.messages.slice(-MAX_MESSAGES) };
    try {
      window.localStorage.setItem(this.key, JSON.stringify(trimmed));
    } catch {
      // Quota or privacy mode: the chat still works, only without history.
    }
  }

  clear(): void {
    try {
      window.localStorage.removeItem(this.key);
    } catch {
      // nothing stored
    }
  }
}
