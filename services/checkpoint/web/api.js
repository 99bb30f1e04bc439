// The checkpoint API, same origin only. A network failure is `{offline: true}`,
// never an exception, so callers can fall back to the offline path.
const TOKEN = "kb.officerToken";

export const officerToken = () => localStorage.getItem(TOKEN) || "";
export const setOfficerToken = (value) => localStorage.setItem(TOKEN, value.trim());
export const clearOfficerToken = () => localStorage.removeItem(TOKEN);

export function officer() {
  try {
    const claims = JSON.parse(atob(officerToken().split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return { name: claims.sub, role: claims.role, scope: claims.scope || [] };
  } catch {
    return null;
  }
}

export async function call(method, path, body) {
  const headers = { authorization: `Bearer ${officerToken()}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    return { offline: true };
  }
  const data = await response.json().catch(() => ({}));
  return { status: response.status, ok: response.ok, data, error: data.error };
}

export function newScanId() {
  return crypto.randomUUID ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
