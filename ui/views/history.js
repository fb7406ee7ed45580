//! History: every sync run newest first, live-updated while one runs, paged with "Load older".

import { h, setText } from "../dom.js";
import * as ipc from "../ipc.js";
import * as store from "../sync-store.js";
import * as account from "../account-store.js";
import { errorWords, kindWords, statusWords, triggerWords } from "../run-words.js";
import { formatAbsolute, formatDuration, formatRelative } from "../time-format.js";
import { onTick } from "../clock.js";
import { formatCount } from "../number.js";

const RUNS_PAGE = 25;

function statusTone(run) {
  if (run.status === "running") return run.isStale ? "warning" : "running";
  if (run.status === "success") return "success";
  if (run.status === "aborted") return run.errorTag === "cancelled" ? "neutral" : "warning";
  return "error";
}

function errorCell(run) {
  if (run.status === "success" || run.status === "running" && !run.isStale) return h("td", { class: "col-error muted" }, "—");
  const words = run.status === "running" ? errorWords("stale") : errorWords(run.errorTag ?? (run.status === "aborted" ? "stale" : null));
  // The raw message stays in the tooltip for whoever files a bug; the cell speaks plainly.
  return h("td", { class: "col-error", title: run.errorMessage ?? "" }, words.headline);
}

function row(run, now) {
  const end = run.finishedAt ?? (run.status === "running" ? now : run.lastHeartbeatAt);
  const p = run.progress ?? {};
  return h("tr", { dataset: { runId: String(run.id), status: run.status } },
    h("td", { class: "col-status" }, h("span", { class: `status-pill tone-${statusTone(run)}` }, statusWords(run))),
    h("td", { class: "col-started" }, h("time", { dateTime: new Date(run.startedAt).toISOString(), title: formatAbsolute(run.startedAt) }, formatRelative(run.startedAt, now))),
    h("td", {}, triggerWords(run.trigger)),
    h("td", {}, kindWords(run.kind)),
    h("td", { class: "num" }, formatDuration(end - run.startedAt)),
    h("td", { class: "num" }, formatCount(p.fetchedEmails ?? 0)),
    h("td", { class: "num" }, formatCount(p.insertedEmails ?? 0)),
    h("td", { class: "num" }, String(p.storedLinks ?? 0)),
    errorCell(run));
}

export function mountHistory(container) {
  const body = h("tbody", { id: "runs-list" });
  const table = h("table", { class: "runs-table" },
    h("caption", { class: "visually-hidden" }, "Sync runs, newest first"),
    h("thead", {}, h("tr", {},
      ...["Status", "Started", "Trigger", "Kind"].map((t) => h("th", { scope: "col" }, t)),
      ...["Duration", "Fetched", "New", "Links"].map((t) => h("th", { scope: "col", class: "num" }, t)),
      h("th", { scope: "col" }, "Problem"))),
    body);
  const status = h("p", { class: "list-status" });
  const more = h("button", { type: "button", class: "btn btn-secondary", id: "load-older" }, "Load older");
  container.append(
    h("header", { class: "page-header" }, h("h1", { class: "page-title" }, "History"), h("p", { class: "page-subtitle" }, "Every sync attempt, from any window, the tray or the command line.")),
    h("section", { class: "card table-card" }, h("div", { class: "table-scroll" }, table), status, h("div", { class: "table-footer" }, more)));

  /** Runs by id, so live events update rows in place instead of re-fetching. */
  const runs = new Map();
  let exhausted = false;

  /** The row on screen for each run, with its markup: a row that reads the same is kept, not built again. */
  const shownRows = new Map();
  const draw = () => {
    const now = Date.now();
    const ordered = [...runs.values()].sort((a, b) => b.id - a.id);
    const rows = ordered.map((r) => {
      const fresh = row(r, now);
      const html = fresh.outerHTML;
      const shown = shownRows.get(r.id);
      if (shown?.html === html) return shown.tr;
      shownRows.set(r.id, { html, tr: fresh });
      return fresh;
    });
    for (const id of shownRows.keys()) if (!runs.has(id)) shownRows.delete(id);
    // Only when a row changed, came or went: a page left alone is not styled and painted again.
    if (rows.length !== body.children.length || rows.some((tr, i) => body.children[i] !== tr)) body.replaceChildren(...rows);
    setText(status, ordered.length ? "" : "No syncs yet.");
    more.hidden = exhausted || ordered.length === 0;
  };
  const clock = onTick(draw, () => [...runs.values()].map((r) => r.startedAt));
  const render = clock.render;

  /** Bumped when the mailbox switches, so a page of the old mailbox's runs arriving late is dropped. */
  let generation = 0;

  async function loadOlder() {
    more.disabled = true;
    const asked = generation;
    try {
      const ids = [...runs.keys()];
      const before = ids.length ? Math.min(...ids) : undefined;
      const page = await ipc.listRuns(RUNS_PAGE, before);
      if (asked !== generation) return;
      for (const r of page) if (!runs.has(r.id)) runs.set(r.id, r);
      exhausted = page.length < RUNS_PAGE;
      render();
    } catch (err) {
      setText(status, `Couldn't load the history (${err.code}).`);
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener("click", loadOlder);

  const onSync = (s) => {
    let changed = false;
    for (const r of [s.active, s.latest]) {
      if (!r) continue;
      const known = runs.get(r.id);
      // Only runs newer than the oldest loaded belong on this page; older ones arrive with "Load older".
      if (known !== r && (known || runs.size === 0 || r.id > Math.min(...runs.keys()))) { runs.set(r.id, r); changed = true; }
    }
    if (changed) render();
  };
  const unsubscribe = store.subscribe(onSync);
  const unsubscribeMailbox = account.subscribeMailbox(() => {
    generation++;
    runs.clear();
    exhausted = false;
    render();
    loadOlder();
  });
  loadOlder();
  return () => { unsubscribe(); unsubscribeMailbox(); clock.stop(); };
}
