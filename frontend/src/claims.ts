// Who holds which item, as the server judges it now (GET /api/claims). Leases run out with
// time, not with ops, so the map is read again every half-minute while the page is open, and
// soon after the live feed reports a change to an item that has or had a claim.
import { useEffect, useState } from "preact/hooks";
import { get, type Holding, type Summary } from "./api";

const EVERY_MS = 30_000;
let claims = new Map<string, Holding>();
const listeners = new Set<() => void>();
let soon: number | undefined;
let every: number | undefined;

export async function refreshClaims() {
  const data = await get<{ claims: Holding[] }>("/api/claims");
  claims = new Map(data.claims.map((h) => [h.id, h]));
  listeners.forEach((l) => l());
}

/** After a pushed change: read the claims again if any of the items has or had one. */
export function claimsTouched(items: Summary[], removed: string[]) {
  if (!items.some((i) => i.claimed || claims.has(i.id)) && !removed.some((id) => claims.has(id))) return;
  window.clearTimeout(soon);
  soon = window.setTimeout(() => refreshClaims().catch(() => {}), 200);
}

export function startClaims() {
  window.clearInterval(every);
  refreshClaims().catch(() => {});
  every = window.setInterval(() => refreshClaims().catch(() => {}), EVERY_MS);
}

export function stopClaims() {
  window.clearInterval(every);
  window.clearTimeout(soon);
}

export function useClaims(): Map<string, Holding> {
  const [, setTick] = useState(0);
  useEffect(() => { const l = () => setTick((t) => t + 1); listeners.add(l); return () => { listeners.delete(l); }; }, []);
  return claims;
}
