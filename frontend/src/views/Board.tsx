import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { ApiError, post, type Item } from "../api";
import { store, useItems } from "../store";
import { useSession } from "../session";
import { useShortcuts } from "../keys";
import { useClaims } from "../claims";
import { Badges, short } from "./ItemRow";

const PER_COLUMN = 60;

export function Board() {
  const session = useSession();
  const { route } = useLocation();
  const items = useItems();
  const claims = useClaims();
  const columns = session.statuses.filter((s) => s !== "deleted");
  const byStatus = columns.map((status) => items.filter((i) => i.status === status));
  // The selection follows the card, not a position: live changes reorder the columns.
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState("");
  const current = items.find((i) => i.id === selected && columns.includes(i.status))
    ?? byStatus.find((c) => c.length > 0)?.[0];
  const col = current ? columns.indexOf(current.status) : 0;
  const row = current ? byStatus[col].findIndex((i) => i.id === current.id) : 0;

  const select = (c: number, r: number) => {
    const nc = Math.max(0, Math.min(columns.length - 1, c));
    const count = Math.min(byStatus[nc].length, PER_COLUMN);
    if (count > 0) setSelected(byStatus[nc][Math.max(0, Math.min(count - 1, r))].id);
  };

  const moveCard = async (step: number) => {
    const target = col + step;
    if (!current || target < 0 || target >= columns.length) return;
    setError("");
    // The move says which version of the card it was based on: if an agent or the CLI changed
    // the item meanwhile, nothing moves and the card shows the item as it is now.
    const headers: Record<string, string> = current.version ? { "If-Match": `"${current.version}"` } : {};
    const shown = (item: { status: string; version: string | null }) =>
      store.merge([{ ...current, status: item.status, version: item.version }]);
    try {
      setSelected(current.id);
      const answer = await post<{ item: Item }>(`/api/items/${current.id}/update`, { status: columns[target] }, headers);
      shown(answer.item);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && e.body.item) {
        shown(e.body.item as Item);
        setError(`${current.id} changed meanwhile; nothing moved. Here it is now.`);
      } else {
        setError(e instanceof ApiError ? e.message : String(e));
      }
    }
  };

  useShortcuts([
    { key: "ArrowLeft", label: "", run: (e) => e.shiftKey ? moveCard(-1) : select(col - 1, row) },
    { key: "ArrowRight", label: "", run: (e) => e.shiftKey ? moveCard(1) : select(col + 1, row) },
    { key: "ArrowUp", label: "", run: () => select(col, row - 1) },
    { key: "ArrowDown", label: "", run: () => select(col, row + 1) },
    { key: "h", label: "", run: () => select(col - 1, row) },
    { key: "l", label: "", run: () => select(col + 1, row) },
    { key: "k", label: "", run: () => select(col, row - 1) },
    { key: "j", label: "", run: () => select(col, row + 1) },
    { key: "[", label: "", run: () => moveCard(-1) },
    { key: "]", label: "", run: () => moveCard(1) },
    { key: "Enter", label: "", run: () => current && route(`/items/${current.id}`) },
  ]);

  return (
    <section aria-label="Board" class="board-view">
      {error && <p class="error" role="alert">{error}</p>}
      <div class="board">
        {columns.map((status, c) => (
          <div class="column" aria-label={status}>
            <h2>{status} <span class="count">{byStatus[c].length}</span></h2>
            {byStatus[c].slice(0, PER_COLUMN).map((item) => (
              <article class={`card${current && current.id === item.id ? " selected" : ""}`} data-id={item.id}
                       tabIndex={-1} onClick={() => setSelected(item.id)} onDblClick={() => route(`/items/${item.id}`)}>
                <a href={`/items/${item.id}`} class="id">{short(item.id)}</a>
                <p class="title">{item.title}</p>
                <Badges item={{ ...item, tags: item.tags.slice(0, 3) }} holding={claims.get(item.id)} />
              </article>
            ))}
            {byStatus[c].length > PER_COLUMN &&
              <a class="more" href={`/list?q=${encodeURIComponent(`status:${status}`)}`}>+{byStatus[c].length - PER_COLUMN} more</a>}
          </div>
        ))}
      </div>
    </section>
  );
}
