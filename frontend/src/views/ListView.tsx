import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { useItems } from "../store";
import { useShortcuts } from "../keys";
import { ItemTable } from "./ItemRow";
import { useQuery } from "../query";

const PAGE = 200;

export function ListView() {
  const { query, route } = useLocation();
  const q = query.q ?? "";
  const [text, setText] = useState(q);
  const [selected, setSelected] = useState(0);
  const [shown, setShown] = useState(PAGE);
  const input = useRef<HTMLInputElement>(null);
  const all = useItems();
  const asked = useQuery(q);
  useEffect(() => setText(q), [q]);
  const found = q ? asked.items ?? [] : all;

  useShortcuts([
    { key: "/", label: "query", run: () => input.current?.focus() },
    { key: "j", label: "down", run: () => setSelected((s) => Math.min(s + 1, found.length - 1)) },
    { key: "k", label: "up", run: () => setSelected((s) => Math.max(s - 1, 0)) },
    { key: "Enter", label: "open", run: () => found[selected] && route(`/items/${found[selected].id}`) },
  ]);

  const submit = (e: Event) => {
    e.preventDefault();
    route(text ? `/list?q=${encodeURIComponent(text)}` : "/list");
    setSelected(0);
  };

  return (
    <section aria-label="List">
      <form class="querybar" onSubmit={submit} role="search">
        <input ref={input} type="search" name="q" value={text} placeholder="is:needs-human status:todo_hard,in_progress tag:ui priority:<=1 words…"
               aria-label="Query" onInput={(e) => setText((e.target as HTMLInputElement).value)}
               onKeyDown={(e) => { if (e.key === "Escape") (e.target as HTMLInputElement).blur(); }} />
        <button type="submit">Search</button>
      </form>
      {q && asked.error ? <p class="error" role="alert">{asked.error}</p>
        : <p class="count">{found.length} item{found.length === 1 ? "" : "s"}</p>}
      <ItemTable items={found.slice(0, shown)} selected={selected} onOpen={(id) => route(`/items/${id}`)} />
      {found.length > shown && <button type="button" onClick={() => setShown(shown + PAGE)}>Show more</button>}
    </section>
  );
}
