//! Run fixtures for the UI tests: a run shaped exactly like the Rust side's camelCase JSON.

export const NOW = Date.UTC(2024, 4, 15, 12, 0, 0);

export function run(overrides = {}) {
  const { progress, ...rest } = overrides;
  return {
    id: 7,
    status: "running",
    trigger: "button",
    startedAt: NOW - 60_000,
    finishedAt: null,
    lastHeartbeatAt: NOW - 1_000,
    isStale: false,
    phase: "fetching",
    totalEstimate: 1000,
    kind: "full",
    progress: { fetchedEmails: 250, processedEmails: 250, insertedEmails: 200, storedLinks: 900, ...progress },
    errorName: null,
    errorMessage: null,
    errorTag: null,
    ...rest,
  };
}

export function finished(overrides = {}) {
  return run({ status: "success", phase: null, finishedAt: NOW - 180_000, startedAt: NOW - 240_000, lastHeartbeatAt: NOW - 180_000, ...overrides });
}
