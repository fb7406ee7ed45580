//! Sizes as people read them: "512 bytes", "1 byte", "14 KB", "2.4 MB" (1 KB = 1024 bytes, as file managers on every OS but macOS count).

import { COUNT_LOCALE } from "./number.js";

const UNITS = ["KB", "MB", "GB"];

export function formatFileSize(bytes, locale = COUNT_LOCALE) {
  const n = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
  if (n < 1024) return n === 1 ? "1 byte" : `${new Intl.NumberFormat(locale).format(n)} bytes`;
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = value < 10 ? 1 : 0;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)} ${UNITS[unit]}`;
}
