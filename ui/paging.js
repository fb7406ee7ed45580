//! Page arithmetic for the message list: which range is shown and whether previous/next exist. Pure.

export const PAGE_SIZE = 50;

export function pageInfo(offset, limit, total) {
  const safeTotal = Math.max(0, total | 0);
  const first = safeTotal === 0 ? 0 : Math.min(offset + 1, safeTotal);
  const last = Math.min(offset + limit, safeTotal);
  return {
    label: safeTotal === 0 ? "No messages" : `${first}–${last} of ${safeTotal}`,
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
