import { useLocation } from "preact-iso";
import { useItems, store } from "../store";
import { useSession } from "../session";
import { ItemTable } from "./ItemRow";
import type { Summary } from "../api";

// Waiting on the human: an agent spoke last, a review status, damage the human must look at.
export function needsYou(item: Summary, resolved: string[]): boolean {
  if (item.damaged) return true;
  if (item.status.includes("review")) return true;
  return item.last_by === "agent" && !resolved.includes(item.status);
}

export function NeedsYou() {
  const items = useItems();
  const session = useSession();
  const { route } = useLocation();
  const waiting = items.filter((i) => needsYou(i, session.resolved_statuses));
  return (
    <section aria-label="Needs you">
      <h1>Needs you <span class="count">{waiting.length}</span></h1>
      {!store.loaded ? <p class="loading">Loading…</p>
        : <ItemTable items={waiting} onOpen={(id) => route(`/items/${id}`)} />}
    </section>
  );
}
