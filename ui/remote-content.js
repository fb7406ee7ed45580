//! What the bar above an HTML mail says about remote content (images, fonts): blocked with a way to load it, or loading because the sender is trusted.

import { formatCount } from "./number.js";

/**
 * The bar for a message detail (`html`, `sender`, `senderTrusted` from get_message), or null
 * when there is nothing to say: no HTML, nothing remote in it, or loaded by a click just now.
 */
export function remoteBar({ html, sender, senderTrusted } = {}) {
  if (!html) return null;
  if (html.remoteAllowed && senderTrusted && sender) {
    return { kind: "trusted", text: `Remote content from ${sender} always loads.`, sender };
  }
  if (!html.remoteAllowed && html.remoteBlocked > 0) {
    const what = html.remoteBlocked === 1 ? "1 remote image or font" : `${formatCount(html.remoteBlocked)} remote images or fonts`;
    return { kind: "blocked", text: "Remote content blocked", detail: `${what} not loaded, so the sender can't see you opened this.`, sender: sender ?? null };
  }
  return null;
}

/**
 * The note for inline (cid:) images the store has no copy of (mail synced before they were
 * kept, an image over 1 MB, or a part the message does not have), or null.
 */
export function inlineNote(html) {
  const n = html?.inlineMissing ?? 0;
  if (n === 0) return null;
  return n === 1
    ? "1 inline image isn't in the stored message, so it isn't shown."
    : `${formatCount(n)} inline images aren't in the stored message, so they aren't shown.`;
}
