//! Short-lived messages at the bottom of the window (e.g. "A sync is already running"), announced politely.

let region = null;
let timer = null;

export function showNotice(text, { tone = "info", ms = 4000 } = {}) {
  region ??= document.getElementById("notice");
  if (!region) return;
  region.textContent = text;
  region.dataset.tone = tone;
  region.classList.add("is-visible");
  clearTimeout(timer);
  timer = setTimeout(() => region.classList.remove("is-visible"), ms);
}
