import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { ApiError, get } from "../api";
import { store, useChanged } from "../store";
import { short } from "./ItemRow";

// The latest ops across the tracker, newest first (GET /api/activity): when, who, whose
// authority the op really carries (the fold's judgement: a forged human op shows as the
// agent's), on which item, and what it asked for. Read again soon after the live feed reports a
// change. Everything shown is text an op carries: rendered as text, never as markup.
export type ActivityEntry = {
  id: string; item_id: string; tier: string; type: string; at: string | null;
  actor: string | null; by: string | null; counts_as: "human" | "agent"; summary: string;
};

const LIMIT = 200;

export function Activity() {
  const { route } = useLocation();
  const [ops, setOps] = useState<ActivityEntry[] | null>(null);
  const [error, setError] = useState("");
  const soon = useRef<number | undefined>(undefined);

  const load = async () => {
    try {
      setOps((await get<{ ops: ActivityEntry[] }>(`/api/activity?limit=${LIMIT}`)).ops);
      setError("");
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  useEffect(() => { load(); return () => window.clearTimeout(soon.current); }, []);
  useChanged(() => {
    window.clearTimeout(soon.current);
    soon.current = window.setTimeout(load, 250);  // one read for a burst of pushes
  }, []);

  return (
    <section aria-label="Activity">
      <h1>Activity {ops && <span class="count">latest {ops.length}</span>}</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {ops === null ? <p class="loading">Loading…</p> : ops.length === 0 ? <p class="empty">Nothing yet.</p> : (
        <table class="items activity">
          <thead><tr><th>When</th><th>Who</th><th>Item</th><th>What</th></tr></thead>
          <tbody>
            {ops.map((op) => {
              const title = store.items.get(op.item_id)?.title;
              return (
                <tr data-op={op.id} data-id={op.item_id} onClick={() => route(`/items/${op.item_id}`)}>
                  <td class="when"><time>{(op.at ?? "").replace("T", " ").slice(0, 19)}</time></td>
                  <td class={`who-${op.counts_as}`}>
                    {op.actor ?? "?"} <span class="by">({op.counts_as}{op.by === "human" && op.counts_as !== "human" ? ", claims human: not trusted" : ""})</span>
                  </td>
                  <td class="item"><a class="id" href={`/items/${op.item_id}`}>{short(op.item_id)}</a>
                    {op.tier !== "workspace" && <span class="tier"> {op.tier}</span>}{title && <> {title}</>}</td>
                  <td class="what">{op.summary}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
