//! Counts as people read them ("250,000", "250 000", "250.000"), in the user's language.
//!
//! A desktop session in the C or POSIX locale (a bare install, a container, a kiosk) gives the
//! web view ICU's POSIX locale, whose numbers have no digit grouping at all: "250000 messages".
//! Counts are then written as US English writes them.

/** The locale to format counts in, given the one `Intl` resolved by default. */
export function countLocale(resolved) {
  return !resolved || /^und\b|\bposix\b/i.test(resolved) ? "en-US" : resolved;
}

const formatter = new Intl.NumberFormat(countLocale(new Intl.NumberFormat().resolvedOptions().locale));

/** The locale counts are written in here (for callers that format decimals themselves). */
export const COUNT_LOCALE = formatter.resolvedOptions().locale;

/** `n` with the user's digit grouping. */
export function formatCount(n) {
  return formatter.format(n);
}
