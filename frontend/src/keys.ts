// Keyboard shortcuts: one listener, ignoring keys typed into a field; views add their own.
import { useEffect } from "preact/hooks";

export type Shortcut = { key: string; label: string; run: (e: KeyboardEvent) => void };

export function typing(e: KeyboardEvent): boolean {
  const target = e.target as HTMLElement | null;
  return !!target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

export function useShortcuts(shortcuts: Shortcut[], deps: unknown[]) {
  useEffect(() => {
    const handler = (e: KeyboardEvent) => {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      const found = shortcuts.find((s) => s.key === e.key);
      if (found) { e.preventDefault(); found.run(e); }
    };
    window.addEventListener("keydown", handler);
    return () => window.removeEventListener("keydown", handler);
  }, deps);
}

export const SHEET: [string, string][] = [
  ["1", "Needs you"], ["2", "Board"], ["3", "List"], ["n", "New item"], ["/", "Query bar (list)"],
  ["?", "This sheet"], ["Esc", "Close / back"],
  ["← → ↑ ↓ / h j k l", "Board: choose a card"], ["Shift + ← →  or  [ ]", "Board: move the card to the previous / next status"],
  ["Enter", "Board, list: open the item"],
  ["r", "Item: reply"], ["e", "Item: edit"], ["f", "Item: freeze / unfreeze"],
];
