//! Plain words for a run's status, trigger, kind and error tag, shared by the fetch card and History. Pure.

/** Headline and advice per error tag; the headline is what a user can act on, never the raw error. */
const ERROR_WORDS = {
  network: { headline: "Couldn't reach Gmail. Check your connection and try again.", advice: "The next sync continues where this one stopped." },
  auth: { headline: "Reconnect your Gmail account", advice: "Gmail no longer accepts this app's sign-in." },
  rateLimit: { headline: "Gmail's quota ran out; try again in a few minutes", advice: "Gmail limits how fast mail can be downloaded." },
  gmail: { headline: "Gmail had a problem answering", advice: "This is usually temporary; try again in a moment." },
  gmailLoop: { headline: "Gmail kept sending the same page", advice: "The sync stopped itself; mail fetched so far is kept. Try again later." },
  tooLarge: { headline: "Some messages were too large to download", advice: "Everything else was synced; open those messages in Gmail." },
  storage: { headline: "Couldn't save mail on this computer", advice: "The local database could not be written." },
  diskFull: { headline: "The disk is full", advice: "Free some space, then try again." },
  corrupt: { headline: "The mail database was damaged and is being rebuilt from Gmail", advice: "The damaged file was kept aside; your mail is a copy of Gmail's, so nothing is lost." },
  readOnly: { headline: "The data folder is read-only", advice: "Inbox Sync can show past syncs but cannot save mail there; make the folder writable or choose another." },
  stalled: { headline: "The sync stopped making progress", advice: "Try again; it picks up where it left off." },
  internal: { headline: "Something went wrong inside Inbox Sync", advice: "Try again; if it keeps happening, restart the app." },
  cancelled: { headline: "Sync stopped", advice: "Mail fetched so far is kept." },
  stale: { headline: "Last sync interrupted", advice: "It stopped without finishing; the next sync resumes from where it was." },
  leaseLost: { headline: "Another sync took over", advice: "This sync handed over to a newer one." },
  leaseExpired: { headline: "Last sync interrupted", advice: "It lost contact with the sync ledger and stopped safely." },
};

const UNKNOWN_ERROR = { headline: "The sync failed", advice: "Try again in a moment." };

export function errorWords(tag) {
  return ERROR_WORDS[tag] ?? UNKNOWN_ERROR;
}

const STATUS_WORDS = { running: "Running", success: "Completed", error: "Failed", aborted: "Stopped" };

/** "Interrupted" reads truer than "Stopped" for a run nobody chose to stop. */
export function statusWords(run) {
  if (run.status === "running" && run.isStale) return "Not responding";
  if (run.status === "aborted" && run.errorTag !== "cancelled") return "Interrupted";
  return STATUS_WORDS[run.status] ?? run.status;
}

const TRIGGER_WORDS = { button: "Fetch button", tray: "Tray menu", launch: "App launch", schedule: "Schedule", cli: "Command line" };

export function triggerWords(trigger) {
  return TRIGGER_WORDS[trigger] ?? trigger ?? "—";
}

const KIND_WORDS = { full: "Full", incremental: "Incremental", resync: "Full resync" };

export function kindWords(kind) {
  return KIND_WORDS[kind] ?? "—";
}

const PHASE_WORDS = {
  listing: "Listing messages…",
  fetching: "Downloading messages…",
  history: "Checking for changes…",
  throttled: "Gmail asked us to slow down; resuming shortly",
  finishing: "Finishing up…",
};

export function phaseWords(phase) {
  return PHASE_WORDS[phase] ?? "Starting…";
}
