/** "Delete chat" on the clinic's server: POST /webhooks/socketio/forget for each chat ID. */

/** The IDs whose server copy is gone (deleted now, or never there); the rest wait for the next try. */
export async function deleteOnServer(server: string, sessionIds: readonly string[]): Promise<string[]> {
  const gone: string[] = [];
  for (const sessionId of sessionIds) {
    try {
      const reply = await fetch(`${server}/webhooks/socketio/forget`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session_id: sessionId }),
      });
      // 404: nothing of it on the server (never sent a message, or already deleted).
      if (reply.ok || reply.status === 404 || reply.status === 400) gone.push(sessionId);
    } catch {
      // offline: tried again when the connection is back
    }
  }
  return gone;
}
