// What an officer types as the reply to a returned log stays on this device until the log is
// submitted, so leaving the log, or the app, loses nothing.

const PREFIX = "gridpatrol.logReply.";

function key(officer: string, week: string): string {
  return `${PREFIX}${week}/${officer}`;
}

export function loadReply(officer: string, week: string): string {
  try {
    return localStorage.getItem(key(officer, week)) ?? "";
  } catch {
    return "";
  }
}

export function saveReply(officer: string, week: string, text: string): void {
  try {
    if (text) localStorage.setItem(key(officer, week), text);
    else localStorage.removeItem(key(officer, week));
  } catch {
    // Storage full or refused: the text is still in the box.
  }
}

export function clearReply(officer: string, week: string): void {
  saveReply(officer, week, "");
}
