import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { useItems } from "../store";
import { useShortcuts } from "../keys";
import { ItemTable } from "./ItemRow";
import type { Summary } from "../api";

// Words must all appear in the ID, title, status, tier or tags (key:value words match that key).
function matches(item: Summary, words: string[]): boolean {
  return words.every((word) => {
    const [key, value] = word.includes(":") ? word.split(":", 2) : ["", word];
    switch (key) {
      case "status": return value.split(",").includes(item.status);
      case "tag": return item.tags.includes(value);
      case "tier": return item.tier === value;
      case "kind": return item.kind === value;
      default:
        return `${item.id} ${item.title} ${item.status} ${item.tier} ${item.tags.join(" ")}`.toLowerCase().includes(word.toLowerCase());
    }
  });
}

const PAGE = 200;

export function ListView() {
  const { query, route } = useLocation();
  const q = query.q ?? "";
  const [text, setText] = useState(q);
  const [selected, setSelected] = useState(0);
  const [shown, setShown] = useState(PAGE);
  const input = useRef<HTMLInputElement>(null);
  const items = useItems();
  useEffect(() => setText(q), [q]);
  const words = q.split(/\s+/).filter(Boolean);
  const found = useMemo(() => items.filter((i) => matches(i, words)), [items, q]);

  useShortcuts([
    { key: "/", label: "query", run: () => input.current?.focus() },
    { key: "j", label: "down", run: () => setSelected((s) => Math.min(s + 1, found.length - 1)) },
    { key: "k", label: "up", run: () => setSelected((s) => Math.max(s - 1, 0)) },
    { key: "Enter", label: "open", run: () => found[selected] && route(`/items/${found[selected].id}`) },
  ], [found, selected]);

  const submit = (e: Event) => {
    e.preventDefault();
    route(text ? `/list?q=${encodeURIComponent(text)}` : "/list");
    setSelected(0);
  };

  return (
    <section aria-label="List">
      <form class="querybar" onSubmit={submit} role="search">
        <input ref={input} type="search" name="q" value={text} placeholder="status:todo_hard tag:ui words…"
               aria-label="Query" onInput={(e) => setText((e.target as HTMLInputElement).value)}
               onKeyDown={(e) => { if (e.key === "Escape") (e.target as HTMLInputElement).blur(); }} />
        <button type="submit">Search</button>
      </form>
      <p class="count">{found.length} item{found.length === 1 ? "" : "s"}</p>
      <ItemTable items={found.slice(0, shown)} selected={selected} onOpen={(id) => route(`/items/${id}`)} />
      {found.length > shown && <button type="button" onClick={() => setShown(shown + PAGE)}>Show more</button>}
    </section>
  );
}
