//! Page arithmetic for the message list: which range is shown and whether previous/next exist. Pure.

import { formatCount } from "./number.js";

export const PAGE_SIZE = 50;

/**
 * `exact` false: `total` is a floor (the store counted no further; more than that many match),
 * and `shown` (how many rows this page holds) says whether a next page may exist.
 */
export function pageInfo(offset, limit, total, { exact = true, shown = 0 } = {}) {
  const safeTotal = Math.max(0, total | 0);
  if (!exact) {
    const last = offset + shown;
    return {
      label: shown === 0 ? "No messages" : `${formatCount(offset + 1)}–${formatCount(last)} of more than ${formatCount(safeTotal)}`,
      hasPrev: offset > 0,
      hasNext: shown >= limit,
      prevOffset: Math.max(0, offset - limit),
      nextOffset: offset + limit,
    };
  }
  const first = safeTotal === 0 ? 0 : Math.min(offset + 1, safeTotal);
  const last = Math.min(offset + limit, safeTotal);
  return {
    label: safeTotal === 0 ? "No messages" : `${formatCount(first)}–${formatCount(last)} of ${formatCount(safeTotal)}`,
    hasPrev: offset > 0,
    hasNext: offset + limit < safeTotal,
    prevOffset: Math.max(0, offset - limit),
    nextOffset: offset + limit,
  };
}

/** After mail is removed the current page may be past the end; step back to the last page that exists. */
export function clampOffset(offset, limit, total) {
  if (total <= 0) return 0;
  if (offset < total) return offset;
  return Math.floor((total - 1) / limit) * limit;
}
