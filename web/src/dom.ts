// Element building shared by the widget's parts. Strings always become text
// nodes: nothing the widget shows is ever parsed as HTML.

export type Child = Node | string | null | undefined | false;

/** Creates an element; strings become text nodes (never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(
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

export function srOnly(text: string): HTMLSpanElement {
  return el("span", { class: "cw-sr" }, text);
}
