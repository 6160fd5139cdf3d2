// The items the page knows, kept current by the live feed; components subscribe with useItems.
import { useEffect, useState } from "preact/hooks";
import type { Summary } from "./api";

type Listener = () => void;

class ItemStore {
  items = new Map<string, Summary>();
  loaded = false;
  private listeners = new Set<Listener>();
  private changes = new Set<(ids: string[]) => void>();

  replace(list: Summary[]) {
    this.items = new Map(list.map((i) => [i.id, i]));
    this.loaded = true;
    this.emit(list.map((i) => i.id));
  }

  merge(list: Summary[], removed: string[] = []) {
    for (const item of list) this.items.set(item.id, item);
    for (const id of removed) this.items.delete(id);
    this.emit([...list.map((i) => i.id), ...removed]);
  }

  sorted(): Summary[] {
    return [...this.items.values()].sort((a, b) =>
      a.priority - b.priority || a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  subscribe(listener: Listener) { this.listeners.add(listener); return () => this.listeners.delete(listener); }
  onChange(listener: (ids: string[]) => void) { this.changes.add(listener); return () => this.changes.delete(listener); }

  private emit(ids: string[]) {
    this.listeners.forEach((l) => l());
    this.changes.forEach((l) => l(ids));
  }
}

export const store = new ItemStore();

export function useItems(): Summary[] {
  const [, setTick] = useState(0);
  useEffect(() => store.subscribe(() => setTick((t) => t + 1)), []);
  return store.sorted();
}

export function useChanged(handler: (ids: string[]) => void, deps: unknown[]) {
  useEffect(() => store.onChange(handler), deps);
}
