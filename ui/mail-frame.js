//! The frame that shows a sanitized HTML mail: sandboxed without scripts (and under the mail's own CSP), its height fitted to the mail; its web links open in the system browser through the window's new-window handler (gui/windows.rs).

/**
 * An iframe for `documentHtml` (get_message's html.document). The sandbox grants two things:
 * allow-same-origin, so this page can measure the mail's height, and allow-popups, so a link
 * (the sanitizer gives each `target="_blank"`) asks for a new window, which the app turns into
 * the system browser and refuses. Without allow-scripts nothing in the mail runs (WebKit does
 * not even call this page's listeners in it), and without allow-forms or
 * allow-top-navigation it cannot submit anything or move the app's page.
 */
export function mailFrame(documentHtml, title) {
  const frame = document.createElement("iframe");
  frame.className = "body-html";
  frame.setAttribute("sandbox", "allow-same-origin allow-popups");
  frame.setAttribute("referrerpolicy", "no-referrer");
  frame.setAttribute("title", title);
  frame.addEventListener("load", () => {
    fit(frame);
    // Tells tests (and nothing else) that the frame has loaded and been fitted.
    frame.dataset.fitted = "1";
  });
  frame.srcdoc = documentHtml;
  // The load event comes after the mail's images, so one fit is enough until the width changes.
  const refit = () => (frame.isConnected ? fit(frame) : window.removeEventListener("resize", refit));
  window.addEventListener("resize", refit);
  return frame;
}

/**
 * Fits the frame to the mail: mail laid out wider than the pane (a 600-pixel newsletter table)
 * is zoomed out to fit rather than scrolled sideways, down to half size; then the frame takes
 * the mail's whole height, so the pane has one scroll bar.
 */
function fit(frame) {
  const root = frame.contentDocument?.documentElement;
  if (!root) return;
  root.style.zoom = "";
  const wide = root.scrollWidth / Math.max(1, root.clientWidth);
  const zoom = wide > 1.01 ? Math.max(0.5, 1 / wide) : 1;
  if (zoom < 1) root.style.zoom = String(zoom);
  frame.style.height = `${Math.ceil(root.getBoundingClientRect().height * zoom) + 2}px`;
}
