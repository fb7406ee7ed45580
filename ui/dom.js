//! A tiny element builder: text goes in as text nodes only, so mail content can never become markup.

/**
 * h("button", { id: "x", class: "btn", on: { click }, attrs: { "aria-label": "…" } }, "text", child)
 * Known properties (id, className via class, disabled, type, value, hidden, title, checked) are set directly.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value == null || value === false && key !== "checked" && key !== "disabled") continue;
    if (key === "class") el.className = value;
    else if (key === "on") for (const [name, fn] of Object.entries(value)) el.addEventListener(name, fn);
    else if (key === "attrs") for (const [name, v] of Object.entries(value)) { if (v != null) el.setAttribute(name, String(v)); }
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el[key] = value;
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Sets text only when it changed, so 10 updates a second do not churn the DOM or screen readers. */
export function setText(el, text) {
  const next = text ?? "";
  if (el.textContent !== next) el.textContent = next;
}

export function clear(el) {
  el.replaceChildren();
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** A stroke icon from path data; decorative, hidden from assistive tech. */
export function icon(paths, className = "icon") {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  for (const d of [].concat(paths)) {
    const p = document.createElementNS(SVG_NS, "path");
    p.setAttribute("d", d);
    svg.append(p);
  }
  return svg;
}
