// The checkpoint API, same origin only, with the signed-in officer's access token
// (libs/web/signin.js), fetched fresh for each call. A network failure is
// `{offline: true}` and an ended session `{status: 401, signedOut: true}`, never an
// exception, so callers can fall back to the offline queue.
import { SignedOut } from "/shared/signin.js";

let session = null;

/** The signed-in session every call takes its token from. */
export const useSession = (value) => { session = value; };

export async function call(method, path, body, { anonymous = false } = {}) {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
  let response;
  try {
    response = await (anonymous ? fetch(path, init) : session.fetch(path, init));
  } catch (error) {
    if (error instanceof SignedOut) return { status: 401, signedOut: true };
    return { offline: true };
  }
  const data = await response.json().catch(() => ({}));
  return { status: response.status, ok: response.ok, data, error: data.error,
           signedOut: response.status === 401 };
}

export function newScanId() {
  return crypto.randomUUID ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
