//! The fetch card's whole state as one pure function of (active run, latest run, now, account sign-in): what every window shows.

import { errorWords, phaseWords } from "./run-words.js";
import { formatEta, formatRelative } from "./time-format.js";

/** An ETA needs a few seconds of history and some progress, or it is noise. */
const ETA_MIN_ELAPSED_MS = 3000;

const ORIGIN_WORDS = {
  cli: "Started from the command line",
  tray: "Started from the tray menu",
  launch: "Started when the app opened",
  schedule: "Scheduled sync",
};

/**
 * @param active  the running run (or null), as get_active / sync://progress report it
 * @param latest  the most recent run of any status (or null)
 * @param nowMs   the current time, passed in so the function stays pure
 * @param context { ownRunIds, signIn, signingIn, signedInAtMs }: ids of runs this window started, to tell "here" from
 *                "elsewhere"; a Google sign-in waiting in the browser (or being requested); when a sign-in last completed
 */
export function fetchCardState(active, latest, nowMs, context = {}) {
  const ownRunIds = context.ownRunIds ?? [];
  // get_latest returns the running run while one runs; if only it is known, it is the active run.
  const running = active ?? (latest?.status === "running" ? latest : null);

  if (running && !running.isStale) return runningState(running, nowMs, ownRunIds);
  if (running && running.isStale) {
    return {
      ...base(running, "interrupted", "Last sync interrupted"),
      detail: "It stopped responding. Fetching again resumes where it left off.",
      lastSynced: `Last heard from ${formatRelative(running.lastHeartbeatAt, nowMs)}`,
    };
  }
  if (!latest) {
    return { ...base(null, "idle", "Not synced yet"), detail: "Copy your mailbox to this computer to read and search it offline.", lastSynced: "Never synced" };
  }

  const when = latest.finishedAt ?? latest.lastHeartbeatAt ?? latest.startedAt;
  if (latest.status === "success") {
    return {
      ...base(latest, "idle", "Up to date"),
      detail: latest.progress?.insertedEmails ? `${latest.progress.insertedEmails} new in the last sync.` : "No new mail in the last sync.",
      lastSynced: `Last synced ${formatRelative(when, nowMs)}`,
    };
  }
  if (latest.status === "aborted" && latest.errorTag === "cancelled") {
    return {
      ...base(latest, "cancelled", "Sync stopped"),
      detail: errorWords("cancelled").advice,
      lastSynced: `Stopped ${formatRelative(when, nowMs)}`,
    };
  }
  if (latest.status === "aborted") {
    // stale, lease lost/expired, or an untagged abort: the user did not stop it, so it was interrupted.
    return {
      ...base(latest, "interrupted", "Last sync interrupted"),
      detail: errorWords(latest.errorTag === "leaseLost" ? "leaseLost" : "stale").advice,
      lastSynced: `Interrupted ${formatRelative(when, nowMs)}`,
    };
  }
  if (latest.status === "error" && latest.errorTag === "auth") return authState(latest, when, nowMs, context);
  // status "error" (or anything unknown, which must not masquerade as success).
  const words = errorWords(latest.errorTag);
  return {
    ...base(latest, "error", words.headline),
    detail: words.advice,
    fetchLabel: "Try again",
    lastSynced: `Failed ${formatRelative(when, nowMs)}`,
  };
}

/**
 * Every time the card (and the sidebar, which mirrors it) may show relative to now — "Last synced 3 min ago",
 * "Started …", "Last heard from …", "Reconnected …" — for the page's clock to wake when one would read differently.
 */
export function cardTimes(active, latest, context = {}) {
  return [active?.startedAt, active?.lastHeartbeatAt, latest?.startedAt, latest?.lastHeartbeatAt, latest?.finishedAt,
    context.signedInAtMs].filter(Number.isFinite);
}

/**
 * Google refused the saved sign-in: the one useful action is signing in again. A sign-in completed after the failure
 * answers it, so the card goes back to fetching instead of asking twice.
 */
function authState(latest, when, nowMs, context) {
  if (context.signedInAtMs > when) {
    return {
      ...base(latest, "idle", "Gmail account reconnected"),
      detail: "Fetch new emails to continue where the last sync stopped.",
      lastSynced: `Reconnected ${formatRelative(context.signedInAtMs, nowMs)}`,
    };
  }
  const reconnect = { action: "reconnect", fetchLabel: "Reconnect", lastSynced: `Failed ${formatRelative(when, nowMs)}` };
  if (context.signIn || context.signingIn) {
    return {
      ...base(latest, "signingIn", "Waiting for you to finish in the browser…"),
      ...reconnect,
      detail: "Sign in with Google there.",
      fetchEnabled: false,
      showCancelSignIn: true,
      signInUrl: context.signIn?.url ?? null,
    };
  }
  return {
    ...base(latest, "error", "Reconnect your Gmail account"),
    ...reconnect,
    detail: "Google no longer accepts the saved sign-in. The mail synced so far is kept.",
  };
}

function base(run, state, headline) {
  return {
    state,
    headline,
    detail: null,
    runId: run?.id ?? null,
    fetchEnabled: true,
    /** What the primary button does: "fetch" starts a sync, "reconnect" signs in to Google again. */
    action: "fetch",
    fetchLabel: "Fetch new emails",
    showStop: false,
    showCancelSignIn: false,
    signInUrl: null,
    origin: null,
    counters: countersOf(run),
    countersLive: false,
    progress: null,
    eta: null,
    lastSynced: "",
  };
}

function runningState(run, nowMs, ownRunIds) {
  const throttled = run.phase === "throttled";
  const total = run.totalEstimate;
  const processed = run.progress?.processedEmails ?? 0;
  const known = Number.isFinite(total) && total > 0;
  return {
    ...base(run, throttled ? "throttled" : "running", throttled ? "Waiting on Gmail quota" : "Sync in progress…"),
    detail: phaseWords(run.phase),
    fetchEnabled: false,
    // The command line's sync cannot be cancelled from here; any run of this app can, from any window.
    showStop: run.trigger !== "cli",
    origin: originOf(run, ownRunIds),
    countersLive: true,
    progress: known
      ? { indeterminate: false, value: Math.min(processed, total), max: total }
      : { indeterminate: true, value: processed, max: null },
    eta: throttled || !known ? null : etaOf(run, processed, total, nowMs),
    lastSynced: `Started ${formatRelative(run.startedAt, nowMs)}`,
  };
}

function originOf(run, ownRunIds) {
  if (run.trigger === "button") return ownRunIds.includes(run.id) ? null : "Started from another window";
  return ORIGIN_WORDS[run.trigger] ?? null;
}

function countersOf(run) {
  const p = run?.progress ?? {};
  return { fetched: p.fetchedEmails ?? 0, inserted: p.insertedEmails ?? 0, links: p.storedLinks ?? 0 };
}

/** Linear extrapolation from the run's average rate; null when it cannot be estimated honestly. */
export function etaOf(run, processed, total, nowMs) {
  const elapsed = nowMs - run.startedAt;
  if (!(elapsed >= ETA_MIN_ELAPSED_MS) || processed <= 0 || processed >= total) return null;
  const remainingMs = ((total - processed) * elapsed) / processed;
  return formatEta(remainingMs);
}
