import { useLocation } from "preact-iso";
import { useQuery } from "../query";
import { ItemTable } from "./ItemRow";

// What waits on the human, as every surface defines it: `is:needs-human` (unread agent
// messages, review statuses, rejected or damaged ops, loops, stale claims).
export const NEEDS_YOU = "is:needs-human";

export function NeedsYou() {
  const { route } = useLocation();
  const { items, error } = useQuery(NEEDS_YOU);
  return (
    <section aria-label="Needs you">
      <h1>Needs you {items && <span class="count">{items.length}</span>}</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {items === null ? <p class="loading">Loading…</p>
        : <ItemTable items={items} onOpen={(id) => route(`/items/${id}`)} />}
    </section>
  );
}
