// The live connection: a WebSocket that authenticates with the session token as its first
// message, merges pushed changes into the store, and reconnects with growing back-off.
import { useEffect, useState } from "preact/hooks";
import { get, token, type Summary } from "./api";
import { store } from "./store";
import { claimsTouched, refreshClaims, startClaims, stopClaims } from "./claims";
import { editModeTouched, refreshEditMode, startEditMode, stopEditMode } from "./editmode";

export type LiveState = "connecting" | "live" | "reconnecting" | "offline";

let state: LiveState = "connecting";
const listeners = new Set<(s: LiveState) => void>();
let socket: WebSocket | null = null;
let attempt = 0;
let timer: number | undefined;
let stopped = true;

function set(next: LiveState) {
  state = next;
  listeners.forEach((l) => l(next));
}

async function reload() {
  const data = await get<{ items: Summary[] }>("/api/items?view=summary");
  store.replace(data.items);
}

function connect() {
  if (stopped) return;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${scheme}//${location.host}/ws`);
  socket = ws;
  ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token: token.get(), snapshot: "none" }));
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "ready") {
      attempt = 0;
      set("live");
      reload().catch(() => {}); // anything missed while away
      refreshClaims().catch(() => {});
      refreshEditMode().catch(() => {});
    } else if (message.type === "reset") {
      reload().catch(() => {}); // the config or the trust root changed: read everything again
      refreshClaims().catch(() => {});
      refreshEditMode().catch(() => {});
    } else if (message.type === "changed") {
      store.merge(message.items, message.removed ?? []);
      claimsTouched(message.items, message.removed ?? []);
      editModeTouched();
    }
  };
  ws.onclose = (event) => {
    if (socket !== ws) return;
    socket = null;
    if (stopped) return;
    if (event.code === 1008) { set("offline"); return; } // logged out or session ended
    set("reconnecting");
    const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.75 + Math.random() / 2);
    attempt += 1;
    timer = window.setTimeout(connect, delay);
  };
}

export function startLive() {
  stopped = false;
  attempt = 0;
  set("connecting");
  reload().catch(() => {});
  startClaims();
  startEditMode();
  connect();
}

export function stopLive() {
  stopped = true;
  stopClaims();
  stopEditMode();
  window.clearTimeout(timer);
  socket?.close();
  socket = null;
}

export function useLive(): LiveState {
  const [value, setValue] = useState(state);
  useEffect(() => { listeners.add(setValue); return () => { listeners.delete(setValue); }; }, []);
  return value;
}
