// Items a query keeps, asked of the server (the query language is answered by the index), and
// asked again — at most every half second — whenever the live feed reports a change.
import { useEffect, useState } from "preact/hooks";
import { ApiError, get, type Summary } from "./api";
import { store } from "./store";

export type Found = { items: Summary[] | null; error: string };

export function useQuery(q: string): Found {
  const [found, setFound] = useState<Found>({ items: null, error: "" });
  useEffect(() => {
    if (!q) { setFound({ items: null, error: "" }); return; }  // no query: the store has all
    setFound({ items: null, error: "" });  // never show the last query's answer as this one's
    let alive = true;
    let timer: number | undefined;
    const ask = async () => {
      try {
        const data = await get<{ items: Summary[] }>(`/api/items?view=summary&q=${encodeURIComponent(q)}`);
        if (alive) setFound({ items: data.items, error: "" });
      } catch (e) {
        if (alive) setFound({ items: [], error: e instanceof ApiError ? e.message : String(e) });
      }
    };
    ask();
    const off = store.onChange(() => { window.clearTimeout(timer); timer = window.setTimeout(ask, 500); });
    return () => { alive = false; window.clearTimeout(timer); off(); };
  }, [q]);
  return found;
}
