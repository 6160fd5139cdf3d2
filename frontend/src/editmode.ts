// Edit mode (GET/POST /api/edit-mode): whether a window is open in which discussion messages may
// be edited, how long it has left and how many edits it has used. Read at start, after a switch,
// every half-minute while the page is open and soon after a pushed change while a window is open
// (an edit is an op on an item); the time left counts down on the page between reads.
import { useEffect, useState } from "preact/hooks";
import { get, post } from "./api";

export type EditMode = { active: boolean; remaining: number; ops_used: number; cap_max: number };

const EVERY_MS = 30_000;
let mode: EditMode = { active: false, remaining: 0, ops_used: 0, cap_max: 0 };
let readAt = 0;  // performance.now() when `mode` was read
const listeners = new Set<() => void>();
let every: number | undefined;
let soon: number | undefined;

function set(next: EditMode) {
  mode = next;
  readAt = performance.now();
  listeners.forEach((l) => l());
}

export async function refreshEditMode() {
  set(await get<EditMode>("/api/edit-mode"));
}

/** Open (`on`) or close the window; the answer is the new state. */
export async function switchEditMode(on: boolean) {
  set(await post<EditMode>("/api/edit-mode", { on }));
}

/** After a pushed change: while a window is open, an item change may be a message edit. */
export function editModeTouched() {
  if (!mode.active) return;
  window.clearTimeout(soon);
  soon = window.setTimeout(() => refreshEditMode().catch(() => {}), 300);
}

export function startEditMode() {
  window.clearInterval(every);
  refreshEditMode().catch(() => {});
  every = window.setInterval(() => refreshEditMode().catch(() => {}), EVERY_MS);
}

export function stopEditMode() {
  window.clearInterval(every);
  window.clearTimeout(soon);
}

/** The state and the seconds left now (ticking once a second while a window is open). */
export function useEditMode(): [EditMode, number] {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    const timer = window.setInterval(() => { if (mode.active) l(); }, 1000);
    return () => { listeners.delete(l); window.clearInterval(timer); };
  }, []);
  const left = Math.max(0, Math.round(mode.remaining - (performance.now() - readAt) / 1000));
  return [mode, mode.active ? left : 0];
}
