//! The window's type is the system's own font, named once: `system-ui` (WebKitGTK, WKWebView and
//! WebView2 all know it), then the generic family. Each family named besides costs WebKitGTK a
//! fontconfig match for every size and weight at the first layout, while the page's first calls
//! wait: with the five more of the old stack (-apple-system, "Segoe UI", Roboto, "Noto Sans",
//! "Helvetica Neue") launch to the first painted card at 250,000 messages took a median of 828 ms
//! over 8 launches, against 597 ms without them. A family added to a stylesheet fails here.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const css = join(dirname(fileURLToPath(import.meta.url)), "..", "css");
const GENERIC = new Set(["sans-serif", "serif", "monospace", "ui-monospace", "inherit"]);

/** Every family a stylesheet names, in `font-family:` or the `font:` shorthand, by file. */
function families() {
  const found = [];
  for (const file of readdirSync(css).filter((f) => f.endsWith(".css"))) {
    const text = readFileSync(join(css, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
    for (const m of text.matchAll(/font(-family)?\s*:\s*([^;}]+)/g)) {
      // In the shorthand the families follow the size (and its /line-height).
      const list = m[1] ? m[2] : m[2].replace(/^.*?\d+(?:\.\d+)?px(?:\/[\d.]+)?\s*/, "");
      if (list.trim() === "inherit") continue;
      for (const name of list.split(",")) found.push({ file, name: name.trim().replace(/^["']|["']$/g, "") });
    }
  }
  return found;
}

test("stylesheets name no font family but system-ui and generic ones", () => {
  const named = families();
  assert.ok(named.some((f) => f.name === "system-ui"), `the window's font was found: ${JSON.stringify(named)}`);
  const others = named.filter((f) => f.name !== "system-ui" && !GENERIC.has(f.name));
  assert.deepEqual(others, []);
});
