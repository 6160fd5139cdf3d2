// Talking to the server: every request carries the session token (kept in this origin's
// storage, which a page on another port can't read) beside the HttpOnly cookie.

export type Summary = {
  id: string; kind: string; title: string; status: string; priority: number;
  parent: string | null; tags: string[]; isbefore: string[]; locked_fields: string[];
  frozen: boolean; tier: string; created_at: string; updated_at: string;
  discussion_count: number; last_by: string | null; damaged: boolean; version: string | null;
  claimed?: boolean;  // has a claim: its holder and lease come from /api/claims (claims.ts)
};

// A claim as the server's service judges it now: the holder, the lease (`live`, else expired:
// stale) and the sentence every surface shows (`text`).
export type Holding = {
  id: string; title: string; status: string; holder: string; actor: string; session: string;
  by: string; taken_at: string; renewed_at: string; ttl_seconds: number; paths: string[];
  from: string | null; live: boolean; text: string;
  lease: { state: string; seconds_left: number; expires_at: string | null; last_renewed: string | null; suspect: boolean };
};

export type LostClaim = { actor: string; session: string; action: string; at: string; reason: string; winner: string | null };

export type Entry = {
  by: string; actor: string; at: string; message: string; is_summary: boolean;
  nonce: string; is_tombstoned: boolean;
};

export type Item = Omit<Summary, "discussion_count" | "last_by"> & {
  description: string; pr_ref: string | null; fields: Record<string, unknown>;
  discussion: Entry[]; duplicate_of: string[]; not_duplicate_of: string[];
  problems?: { kind: string; reason: string; nonce: string | null; op: string | null }[];
  op_ids?: string[];  // the ops this version holds: what a lock or freeze says it saw
  holding?: Holding | null;
  lost_claims?: LostClaim[];
};

export type SessionInfo = {
  user: string; method: string; by: string; statuses: string[]; blocking_statuses: string[];
  resolved_statuses: string[]; human_only_statuses: string[]; tiers: string[];
  lockable: string[]; kinds: Record<string, { prefix: string; fields: Record<string, { type: string; required: boolean }> }>;
};

const TOKEN_KEY = "htrac.token";
// The device secret a login gave this browser (or `htrac serve link`, as #device=… in the
// address): sent when logging in, so others' failed logins never hold this browser back. Kept in
// this origin's storage, never in a cookie: cookies reach any localhost port, an agent's too.
const DEVICE_KEY = "htrac.device";

export class ApiError extends Error {
  constructor(public status: number, message: string, public body: Record<string, unknown>) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void) { onUnauthorized = handler; }

export const token = {
  get: () => localStorage.getItem(TOKEN_KEY),
  set: (value: string) => localStorage.setItem(TOKEN_KEY, value),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

export const device = {
  get: () => localStorage.getItem(DEVICE_KEY),
  set: (value: string) => localStorage.setItem(DEVICE_KEY, value),
  /** A secret from `htrac serve link` (#device=… in the address): kept, and taken out of the
   *  address so it is neither bookmarked nor shown. */
  fromAddress() {
    const found = /(?:^#|&)device=([A-Za-z0-9_-]{20,200})(?:&|$)/.exec(location.hash);
    if (!found) return;
    localStorage.setItem(DEVICE_KEY, found[1]);
    history.replaceState(history.state, "", location.pathname + location.search);
  },
};

export async function api<T = any>(method: string, path: string, body?: unknown,
                                   extra: Record<string, string> = {}): Promise<T> {
  const headers: Record<string, string> = { ...extra };
  const current = token.get();
  if (current) headers["X-Htrac-Token"] = current;
  const known = device.get();
  if (known && path.startsWith("/api/auth/")) headers["X-Htrac-Device"] = known;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data: any = null;
  try { data = await response.json(); } catch { data = {}; }
  if (typeof data?.device === "string" && path.startsWith("/api/auth/")) device.set(data.device);
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith("/api/auth/")) onUnauthorized();
    throw new ApiError(response.status, data?.error ?? response.statusText, data ?? {});
  }
  return data as T;
}

export const get = <T = any>(path: string) => api<T>("GET", path);
export const post = <T = any>(path: string, body: unknown = {}, headers: Record<string, string> = {}) =>
  api<T>("POST", path, body, headers);
