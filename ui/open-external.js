//! Hands a web link to the system browser (open_link), saying so when it cannot; anything but http(s) is ignored.

import * as ipc from "./ipc.js";
import { isOpenableUrl } from "./link-policy.js";
import { showNotice } from "./notice.js";

export async function openExternal(url) {
  if (!isOpenableUrl(url)) return;
  try {
    await ipc.openLink(url);
  } catch (err) {
    showNotice(`Couldn't open the link (${err.code}).`, { tone: "error" });
  }
}
