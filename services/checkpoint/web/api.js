// The checkpoint API, same origin only, with the signed-in officer's access token
// (libs/web/signin.js), fetched fresh for each call. A network failure is
// `{offline: true}` and an ended session `{status: 401, signedOut: true}`, never an
// exception, so callers can fall back to the offline queue. A busy service answers
// 503 with Retry-After at once (it sheds load instead of queueing it): the call waits
// and tries again, longer each time, and tells the page (`onBusy`) so the officer
// knows why the answer is late. Scans and decisions are keyed by the scan id, so a
// retry never records anything twice.
import { SignedOut } from "/shared/signin.js";

let session = null;

/** The signed-in session every call takes its token from. */
export const useSession = (value) => { session = value; };

const busyListeners = [];
const BUSY_TRIES = 4;
const BUSY_MAX_WAIT_MS = 15000;

/** `listener(seconds, attempt)`: a busy service asked to wait before the next try. */
export const onBusy = (listener) => busyListeners.push(listener);

function busyWait(response, attempt) {
  const asked = Number(response.headers.get("retry-after")) || 1;
  const wait = Math.min(asked * 1000 * 2 ** (attempt - 1), BUSY_MAX_WAIT_MS);
  return wait * (0.8 + Math.random() * 0.4);  // spread the scanners' retries apart
}

export async function call(method, path, body, { anonymous = false } = {}) {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
  let response;
  for (let attempt = 1; ; attempt += 1) {
    try {
      response = await (anonymous ? fetch(path, init) : session.fetch(path, init));
    } catch (error) {
      if (error instanceof SignedOut) return { status: 401, signedOut: true };
      return { offline: true };
    }
    if (response.status !== 503 || attempt === BUSY_TRIES) break;
    const wait = busyWait(response, attempt);
    for (const listener of busyListeners) listener(Math.ceil(wait / 1000), attempt);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const data = await response.json().catch(() => ({}));
  return { status: response.status, ok: response.ok, data, error: data.error,
           signedOut: response.status === 401 };
}

export function newScanId() {
  return crypto.randomUUID ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
