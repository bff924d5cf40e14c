// Bot text → DOM, as text only. Nothing a message contains is ever parsed as
// HTML; the one link that may appear is the clinic's own booking address,
// taken from the page's configuration (the clinic protocol), not from the
// message.

/** A safe http(s) URL or null. */
export function safeHttpUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? value : null;
  } catch {
    return null;
  }
}

const BEFORE_OK = /[\s(\[<"'“]/;
const AFTER_OK = /^(?:$|[\s)\]>"'”,;!]|[.:?](?:\s|$))/;

/**
 * Appends `text` to `parent` as text nodes, turning exact occurrences of
 * `bookingUrl` (not part of a longer address) into links. Newlines are kept
 * (the bubble uses `white-space: pre-wrap`).
 */
export function appendText(parent: HTMLElement, text: string, bookingUrl: string | null): void {
  if (!bookingUrl || !text.includes(bookingUrl)) {
    parent.appendChild(document.createTextNode(text));
    return;
  }
  let rest = text;
  let pending = "";
  while (rest.length) {
    const index = rest.indexOf(bookingUrl);
    if (index < 0) break;
    const before = pending + rest.slice(0, index);
    const after = rest.slice(index + bookingUrl.length);
    const prevChar = before.slice(-1);
    const standsAlone = (before === "" || BEFORE_OK.test(prevChar)) && AFTER_OK.test(after);
    if (!standsAlone) {
      pending = before + bookingUrl;
      rest = after;
      continue;
    }
    if (before) parent.appendChild(document.createTextNode(before));
    const link = document.createElement("a");
    link.href = bookingUrl;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = bookingUrl;
    link.className = "cw-link";
    parent.appendChild(link);
    pending = "";
    rest = after;
  }
  const tail = pending + rest;
  if (tail) parent.appendChild(document.createTextNode(tail));
}
