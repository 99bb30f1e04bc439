// Staff sign-in for every staff page (served by each service at /shared/signin.js).
//
// The page signs in at the realm's identity provider (Keycloak) with the authorization
// code flow and PKCE, through keycloak-js (vendored, /shared/vendor/keycloak.js), keeps
// the access token fresh (silent refresh with the refresh token), shows who is signed
// in, and offers sign-out. A page names the roles it is for; anyone else gets a page
// that says so (and the API refuses them anyway).
//
//   const session = await signIn({ roles: ["officer", "admin"], i18n, offline: true });
//   const answer = await session.fetch("/v1/scans", { method: "POST", body });
//
// `offline: true` (the checkpoint scanner) keeps the tokens and the sign-in settings in
// this device's storage, so the page opens without the network and the officer keeps
// working; requests then wait in the page's own queue until it is back online and signed
// in. The refresh token may lapse while offline: `token()` then throws `SignedOut`, the
// header offers to sign in again (button #sign-in), and `onSignedOut` listeners are told.
// Other pages keep nothing: each visit passes by the identity provider (at once, without
// a form, while its session lasts).
import Keycloak from "/shared/vendor/keycloak.js";

const STAFF_ROLES = ["admin", "epidemiologist", "ward_official", "officer"];
const STORED = "khaibao.session";
const SETTINGS = "khaibao.auth";
const REFRESH_EARLY_S = 60;
const REFRESH_EVERY_MS = 30000;

const TEXT = {
  vi: {
    signOut: "Đăng xuất", signIn: "Đăng nhập lại", offline: "ngoại tuyến",
    admin: "Quản trị", epidemiologist: "Dịch tễ", ward_official: "Cán bộ phường/xã", officer: "Cán bộ chốt",
    wrongRole: "Trang này dành cho: {roles}. Tài khoản {user} có vai trò: {held}.",
    wrongRoleTitle: "Không đúng vai trò", unavailable: "Chưa kết nối được máy chủ đăng nhập. Thử lại sau.",
    needNetwork: "Cần có mạng để đăng nhập lần đầu trên máy này.", signedOut: "phiên đăng nhập đã hết",
    retry: "Thử lại",
  },
  en: {
    signOut: "Sign out", signIn: "Sign in again", offline: "offline",
    admin: "Administrator", epidemiologist: "Epidemiologist", ward_official: "Ward official", officer: "Checkpoint officer",
    wrongRole: "This page is for: {roles}. The account {user} holds: {held}.",
    wrongRoleTitle: "Wrong role for this page", unavailable: "The sign-in server cannot be reached. Try again later.",
    needNetwork: "Signing in for the first time on this device needs the network.", signedOut: "session ended",
    retry: "Try again",
  },
};

/** Thrown by `token()` (and so `fetch()`) once the identity provider has ended the session. */
export class SignedOut extends Error {
  constructor() { super("signed-out"); this.name = "SignedOut"; }
}

function say(i18n, key, values = {}) {
  const phrase = (TEXT[i18n.lang()] || TEXT.vi)[key];
  return phrase.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

const heldRoles = (claims) => claims?.roles || claims?.realm_access?.roles || [];

/** The staff role a token acts with: the widest it holds (as the services decide). */
export function staffRole(claims) {
  const held = heldRoles(claims);
  return STAFF_ROLES.find((role) => held.includes(role)) || null;
}

function load(key) {
  try { return JSON.parse(localStorage.getItem(key) || "null"); } catch { return null; }
}

// Where to sign in (GET /v1/auth). The scanner keeps the answer for the days it opens offline.
async function config(offline) {
  try {
    const answer = await fetch("/v1/auth");
    if (!answer.ok) throw new Error(`auth config: HTTP ${answer.status}`);
    const settings = await answer.json();
    if (offline) localStorage.setItem(SETTINGS, JSON.stringify(settings));
    return settings;
  } catch (error) {
    const kept = offline ? load(SETTINGS) : null;
    if (kept) return kept;
    throw error;
  }
}

// This page's address without what keycloak-js leaves after the redirect back.
function pageUrl() {
  const url = new URL(location.href);
  for (const name of ["state", "session_state", "code", "iss", "error", "error_description"]) {
    url.searchParams.delete(name);
  }
  return url.toString();
}

function decode(token) {
  if (!token) return null;
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
  } catch { return null; }
}

// A page that cannot go on (no network, no identity provider): says why, offers to retry.
function stop(i18n, key) {
  const main = document.querySelector("main") || document.body;
  const box = document.createElement("section");
  box.id = "sign-in-problem";
  box.setAttribute("role", "alert");
  const text = document.createElement("p");
  text.textContent = say(i18n, key);
  const retry = document.createElement("button");
  retry.type = "button";
  retry.textContent = say(i18n, "retry");
  retry.addEventListener("click", () => location.reload());
  box.append(text, retry);
  main.replaceChildren(box);
  return new Promise(() => {});
}

export async function signIn({ roles, i18n, offline = false, header = "#session" }) {
  let settings;
  try {
    settings = await config(offline);
  } catch {
    return stop(i18n, navigator.onLine ? "unavailable" : "needNetwork");
  }
  const keycloak = new Keycloak({ url: settings.url, realm: settings.realm, clientId: settings.client_id });
  const saved = offline ? load(STORED) : null;
  const login = () => keycloak.login({ redirectUri: pageUrl(), locale: i18n.lang() });
  // Back from the sign-in page (?code=…&state=…, or ?error=…): never straight back there
  // when that did not work, or a refused exchange would loop between the two.
  const returning = ["state", "code", "error"].some((name) => new URL(location.href).searchParams.has(name));

  let authenticated = false;
  try {
    authenticated = await keycloak.init({
      pkceMethod: "S256", checkLoginIframe: false, responseMode: "query",
      ...(saved ? { token: saved.token, refreshToken: saved.refreshToken, idToken: saved.idToken,
                    timeSkew: saved.timeSkew ?? undefined } : {}),
    });
  } catch {
    // With stored tokens, init refreshes them: a network failure (offline) keeps them and
    // the page works on; a refusal (the session ended) clears them and asks for a sign-in.
    authenticated = Boolean(saved && keycloak.token);
    if (!authenticated) localStorage.removeItem(STORED);
  }
  if (!authenticated) {
    if (!navigator.onLine) return stop(i18n, "needNetwork");
    if (returning) {
      history.replaceState(history.state, "", pageUrl());
      return stop(i18n, "unavailable");
    }
    await login();
    return new Promise(() => {}); // the browser is leaving for the sign-in page
  }

  let claims = keycloak.tokenParsed || decode(saved?.token);
  let ended = false; // the identity provider refused to refresh: sign in again
  const signedOutListeners = [];
  const remember = () => {
    claims = keycloak.tokenParsed || claims;
    if (offline && keycloak.token) localStorage.setItem(STORED, JSON.stringify({
      token: keycloak.token, refreshToken: keycloak.refreshToken, idToken: keycloak.idToken,
      timeSkew: keycloak.timeSkew }));
  };
  const draw = () => renderHeader(document.querySelector(header), session, i18n);
  const end = () => {
    if (ended) return;
    ended = true;
    localStorage.removeItem(STORED);
    draw();
    for (const listener of signedOutListeners) listener();
  };

  // The access token, refreshed when it expires within `minValidity` seconds (-1: now).
  const refreshed = async (minValidity) => {
    if (ended || !keycloak.refreshToken) { end(); throw new SignedOut(); }
    try {
      await keycloak.updateToken(minValidity);
    } catch {
      // No answer (offline): the token held may still do, the service decides.
      // A refusal clears it: the session is over.
      if (!keycloak.token) {
        end();
        if (!offline) await login();
        throw new SignedOut();
      }
    }
    return keycloak.token;
  };

  const session = {
    claims: () => claims,
    role: () => staffRole(claims),
    /** False once the session has ended (the refresh token lapsed or was revoked). */
    signedIn: () => !ended,
    onSignedOut: (listener) => signedOutListeners.push(listener),
    /** A fresh access token; throws SignedOut when the session has ended. */
    token: () => refreshed(REFRESH_EARLY_S),
    /** fetch() with the access token; a network failure rejects as fetch does. A 401
     * (the token expired while the page slept offline, or was revoked) gets one new token
     * and one more try; a refused refresh throws SignedOut. */
    async fetch(url, init = {}) {
      const send = async (token) => {
        const headers = new Headers(init.headers || {});
        headers.set("authorization", `Bearer ${token}`);
        return fetch(url, { ...init, headers });
      };
      const held = await session.token();
      const answer = await send(held);
      if (answer.status !== 401) return answer;
      const fresh = await refreshed(-1);
      return fresh === held ? answer : send(fresh);  // no new token (no answer): the 401 stands
    },
    /** To the identity provider's sign-in page, and back here. */
    signInAgain: login,
    async signOut() {
      localStorage.removeItem(STORED);
      if (!navigator.onLine) { location.reload(); return; }
      await keycloak.logout({ redirectUri: pageUrl() });
    },
  };
  remember();
  keycloak.onAuthRefreshSuccess = remember;

  draw();
  i18n.onChange(draw);
  addEventListener("online", draw);
  addEventListener("offline", draw);
  if (!roles.includes(session.role())) {
    wrongRole(claims, i18n, roles);
    return new Promise(() => {}); // nothing else of the page runs
  }
  // Refresh ahead of expiry even while the officer does nothing.
  setInterval(() => {
    if (navigator.onLine && !ended) session.token().catch(() => {});
  }, REFRESH_EVERY_MS);
  return session;
}

function renderHeader(element, session, i18n) {
  if (!element) return;
  const claims = session.claims() || {};
  const role = staffRole(claims);
  const who = document.createElement("span");
  who.className = "who";
  who.dataset.user = claims.preferred_username || "";
  who.dataset.role = role || "";
  const state = !session.signedIn() ? say(i18n, "signedOut") : navigator.onLine ? "" : say(i18n, "offline");
  who.textContent = `${claims.name || claims.preferred_username || ""} · ${role ? say(i18n, role) : "—"}`
    + (state ? ` (${state})` : "");
  const buttons = [];
  if (!session.signedIn()) {
    const again = document.createElement("button");
    again.type = "button";
    again.id = "sign-in";
    again.textContent = say(i18n, "signIn");
    again.addEventListener("click", () => session.signInAgain());
    buttons.push(again);
  }
  const out = document.createElement("button");
  out.type = "button";
  out.id = "sign-out";
  out.textContent = say(i18n, "signOut");
  out.addEventListener("click", () => session.signOut());
  buttons.push(out);
  element.replaceChildren(who, ...buttons);
}

function wrongRole(claims, i18n, roles) {
  const held = heldRoles(claims).filter((r) => STAFF_ROLES.includes(r));
  const main = document.querySelector("main") || document.body;
  const box = document.createElement("section");
  box.id = "wrong-role";
  box.setAttribute("role", "alert");
  const title = document.createElement("h2");
  const text = document.createElement("p");
  const draw = () => {
    title.textContent = say(i18n, "wrongRoleTitle");
    text.textContent = say(i18n, "wrongRole", {
      roles: roles.map((r) => say(i18n, r)).join(", "), user: claims?.preferred_username || "",
      held: held.length ? held.map((r) => say(i18n, r)).join(", ") : "—" });
  };
  draw();
  i18n.onChange(draw);
  box.append(title, text);
  main.replaceChildren(box);
}
