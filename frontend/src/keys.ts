// Keyboard shortcuts: one listener, ignoring keys typed into a field; views add their own.
import { useEffect, useRef } from "preact/hooks";

export type Shortcut = { key: string; label: string; run: (e: KeyboardEvent) => void };

export function typing(e: KeyboardEvent): boolean {
  const target = e.target as HTMLElement | null;
  return !!target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

// The listener reads the shortcuts of the latest render, not those of the render its effect
// ran after: effects run after paint, so a key pressed just after a click (choosing a card,
// then `]`) would otherwise act on what was selected before the click.
export function useShortcuts(shortcuts: Shortcut[]) {
  const latest = useRef(shortcuts);
  latest.current = shortcuts;
  useEffect(() => {
    const handler = (e: KeyboardEvent) => {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      const found = latest.current.find((s) => s.key === e.key);
      if (found) { e.preventDefault(); found.run(e); }
    };
    window.addEventListener("keydown", handler);
    return () => window.removeEventListener("keydown", handler);
  }, []);
}

export const SHEET: [string, string][] = [
  ["1", "Needs you"], ["2", "Board"], ["3", "List"], ["4", "Activity"], ["5", "Tree"], ["n", "New item"], ["/", "Query bar (list)"],
  ["E", "Open / close edit mode"],
  ["?", "This sheet"], ["Esc", "Close / back"],
  ["← → ↑ ↓ / h j k l", "Board: choose a card"], ["Shift + ← →  or  [ ]", "Board: move the card to the previous / next status"],
  ["Enter", "Board, list: open the item"],
  ["r", "Item: reply"], ["e", "Item: edit"], ["f", "Item: freeze / unfreeze"],
  ["u", "Item: mark the discussion unread"], ["D", "Item: clear the discussion (asks first)"], ["R", "Item: repair drift (asks first)"],
];
