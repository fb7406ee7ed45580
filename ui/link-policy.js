//! Which links may be handed to the system browser: http and https only, never javascript:, file:, mailto: tricks.

export function isOpenableUrl(url) {
  if (typeof url !== "string") return false;
  try {
    const parsed = new URL(url.trim());
    return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname !== "";
  } catch {
    return false;
  }
}
