// Decisions made while offline wait here (localStorage, so a reload keeps them)
// and are sent when the network returns. Each carries its scan id and the QR
// token, so sending one twice records one passage (the service answers 200).
// They hold no access token: each is sent with the officer's token of that moment
// (api.call asks the session), and one refused for want of a sign-in (401) stays
// queued until the officer has signed in again.
import { call } from "./api.js";

const KEY = "kb.queue";
const FAILED = "kb.failed";
const load = (key) => JSON.parse(localStorage.getItem(key) || "[]");
const store = (key, items) => localStorage.setItem(key, JSON.stringify(items));

export const pending = () => load(KEY);
export const failed = () => load(FAILED);

export function enqueue(decision) {
  store(KEY, [...pending().filter((d) => d.scan_id !== decision.scan_id), decision]);
}

let flushing = false;

// -> {sent, failed, left, signedOut}; stops at the first network failure (still offline)
// and at the first 401 (the officer must sign in again).
export async function flush() {
  if (flushing) return { sent: 0, failed: 0, left: pending().length, signedOut: false };
  flushing = true;
  let sent = 0, refused = 0, signedOut = false;
  try {
    for (const decision of pending()) {
      const answer = await call("POST", "/v1/passages", decision);
      if (answer.signedOut) { signedOut = true; break; }
      if (answer.offline || answer.status >= 500 || answer.status === 429) break;
      if (answer.ok || answer.error?.code === "already_decided") sent += 1;
      else {
        refused += 1;
        store(FAILED, [...failed(), { ...decision, error: answer.error }]);
      }
      store(KEY, pending().filter((d) => d.scan_id !== decision.scan_id));
    }
  } finally {
    flushing = false;
  }
  return { sent, failed: refused, left: pending().length, signedOut };
}
