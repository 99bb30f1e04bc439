// The QR token, checked offline exactly as libs/runtime/qr_tokens.py does:
// base32 (RFC 4648, no padding), 100 bytes =
//   version 1 | kind 1 | kid 10 | subject 16 | issued 4 | expires 4 | Ed25519 signature 64
// The signature covers the first 36 bytes; the kid picks the key from the JWKS.
export const TOKEN_CHARS = 160;
const MAX_CHARS = 512;
const CLAIMS = 36;
const LEEWAY_S = 120;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export class TokenError extends Error {
  constructor(reason, detail) { super(`${reason}: ${detail}`); this.reason = reason; }
}

function base32(text) {
  const out = [];
  let bits = 0, value = 0;
  for (const char of text) {
    value = (value << 5) | ALPHABET.indexOf(char);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return new Uint8Array(out);
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function uuid(bytes) {
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function fromB64url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - text.length % 4) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function structure(token) {
  if (typeof token !== "string" || token.length > MAX_CHARS) throw new TokenError("oversized", "too long");
  const text = token.trim();
  if (!text || !/^[A-Z2-7]+$/.test(text)) throw new TokenError("malformed", "not a khaibao QR token");
  if (text.length < TOKEN_CHARS) {
    const looksLikeOne = text.length >= 2 ? base32(text.slice(0, 8))[0] === 1 : text === "A";
    throw new TokenError(looksLikeOne ? "truncated" : "malformed", `${text.length} characters`);
  }
  if (text.length > TOKEN_CHARS) throw new TokenError("tampered", "characters were added");
  const raw = base32(text);
  if (raw[0] !== 1 || !"dv".includes(String.fromCharCode(raw[1]))) {
    throw new TokenError("malformed", "unknown token format");
  }
  return raw;
}

async function ed25519(publicRaw, signature, message, forceNoble) {
  if (!forceNoble) {
    try {
      const key = await crypto.subtle.importKey("raw", publicRaw, { name: "Ed25519" }, false, ["verify"]);
      return await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
    } catch (error) {
      if (error.name !== "NotSupportedError" && error.name !== "TypeError") throw error;
    }
  }
  const noble = await import("./vendor/noble-ed25519.js"); // browsers without WebCrypto Ed25519
  return noble.verifyAsync(signature, message, publicRaw);
}

// -> {subject, kind: "d"|"v", kid, issuedAt, expiresAt}; throws TokenError with a reason.
export async function verifyToken(token, jwks, { now = Date.now(), forceNoble = false } = {}) {
  const raw = structure(token);
  const view = new DataView(raw.buffer);
  const kid = hex(raw.slice(2, 12));
  const jwk = (jwks?.keys || []).find((k) => k.kid === kid);
  if (!jwk) throw new TokenError("foreign_key", `no published key has kid ${kid}`);
  const ok = await ed25519(fromB64url(jwk.x), raw.slice(CLAIMS), raw.slice(0, CLAIMS), forceNoble);
  if (!ok) throw new TokenError("tampered", "the signature does not match");
  const claims = {
    subject: uuid(raw.slice(12, 28)), kind: String.fromCharCode(raw[1]), kid,
    issuedAt: new Date(view.getUint32(28) * 1000), expiresAt: new Date(view.getUint32(32) * 1000),
  };
  if (now > claims.expiresAt.getTime() + LEEWAY_S * 1000) throw new TokenError("expired", claims.expiresAt.toISOString());
  if (now < claims.issuedAt.getTime() - LEEWAY_S * 1000) throw new TokenError("not_yet_valid", "issued in the future");
  return claims;
}
