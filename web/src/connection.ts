// The link to the clinic's chat server (Rasa's socket.io channel): connecting
// and reconnecting, the session, and the patient's messages on their way.
// A message stays queued until there is a confirmed session, and counts as
// sent only once the server acknowledges it.

import { io, Socket } from "socket.io-client";
import { ChatMessage } from "./messages";
import { StoredState } from "./store";

export type ConnectionState = "idle" | "connecting" | "online" | "offline";

const USER_EVENT = "user_uttered";
const BOT_EVENT = "bot_uttered";

export interface ConnectionHost {
  /** The chat's state now (deleting the chat replaces it). */
  state(): StoredState;
  save(): void;
  status(state: ConnectionState): void;
  /** A user message's send status changed. */
  messageStatus(message: ChatMessage): void;
  /** Whether the assistant is working on an answer (see `waiting`). */
  waiting(waiting: boolean): void;
  /** One `bot_uttered` event, as received. */
  botEvent(data: unknown): void;
}

export class Connection {
  private socket: Socket | null = null;
  private current: ConnectionState = "idle";
  private sessionReady = false;
  private readonly awaitingAck = new Set<string>();

  constructor(
    private readonly server: string,
    private readonly path: string,
    private readonly host: ConnectionHost,
  ) {}

  /** Messages are with the server and it is still there to answer them. */
  get waiting(): boolean {
    return this.awaitingAck.size > 0 && this.current === "online";
  }

  connect(): void {
    if (this.socket) return;
    this.setState("connecting");
    const socket = io(this.server, {
      path: this.path,
      // WebSocket only: no long-polling, so a load balancer needs no sticky
      // sessions and any replica can serve the socket (Redis carries rooms).
      transports: ["websocket"],
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      timeout: 10000,
    });
    this.socket = socket;

    socket.on("connect", () => {
      this.sessionReady = false;
      this.setState("connecting");
      socket.emit("session_request", { session_id: this.host.state().sessionId });
    });
    socket.on("session_confirm", (confirmed: unknown) => {
      const id =
        typeof confirmed === "string"
          ? confirmed
          : confirmed && typeof confirmed === "object"
            ? (confirmed as Record<string, unknown>).session_id
            : null;
      if (typeof id === "string" && id) this.host.state().sessionId = id;
      this.sessionReady = true;
      this.setState("online");
      this.host.save();
      this.flush();
    });
    socket.on(BOT_EVENT, (data: unknown) => this.host.botEvent(data));
    socket.on("disconnect", (reason: string) => {
      this.sessionReady = false;
      this.failUnconfirmed();
      this.setState("offline");
      if (reason === "io server disconnect") {
        // The server closed the session on purpose: socket.io won't retry by itself.
        window.setTimeout(() => socket.connect(), 2000);
      }
    });
    socket.on("connect_error", () => {
      this.setState("offline");
      if (!socket.active) window.setTimeout(() => socket.connect(), 5000);
    });
  }

  /** Sends every queued message, in order, once the session is confirmed. */
  flush(): void {
    const socket = this.socket;
    if (!socket || !socket.connected || !this.sessionReady) return;
    const state = this.host.state();
    for (const message of state.messages) {
      if (message.from !== "user" || message.status !== "queued") continue;
      message.status = "sending";
      this.awaitingAck.add(message.id);
      this.host.messageStatus(message);
      // Rasa acknowledges after it has handled the message (its replies come first).
      socket.emit(USER_EVENT, { message: message.payload ?? message.text ?? "", session_id: state.sessionId }, () => {
        this.awaitingAck.delete(message.id);
        if (message.status === "sending") message.status = "sent";
        this.host.messageStatus(message);
        this.updateWaiting();
        this.host.save();
      });
    }
    this.updateWaiting();
    this.host.save();
  }

  /** A failed message goes back in the queue; `flush` sends it. */
  requeue(message: ChatMessage): void {
    message.status = "queued";
    this.host.messageStatus(message);
    this.host.save();
  }

  /** The chat was deleted: acknowledgements still to come are for messages that are gone. */
  dropPending(): void {
    this.awaitingAck.clear();
  }

  /** New chat id: ask the server for a new session. */
  newSession(): void {
    if (!this.socket) return;
    this.sessionReady = false;
    this.socket.disconnect();
    this.socket.connect();
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.host.status(state);
    this.updateWaiting();
  }

  private updateWaiting(): void {
    this.host.waiting(this.waiting);
  }

  /** The connection dropped before the server confirmed these: never pretend they arrived. */
  private failUnconfirmed(): void {
    for (const message of this.host.state().messages) {
      if (this.awaitingAck.has(message.id) && message.status === "sending") {
        message.status = "failed";
        this.host.messageStatus(message);
      }
    }
    this.awaitingAck.clear();
    this.host.save();
  }
}
