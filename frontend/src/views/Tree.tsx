import { useLocation } from "preact-iso";
import type { Summary } from "../api";
import { useClaims } from "../claims";
import { useItems } from "../store";
import { Badges, short } from "./ItemRow";

// Items under their parents (the TUI's tree view), by priority at each level, live. A parent
// link is an item's own data, which an agent may have written by hand: a loop of parents is
// never followed round, and the items on it (reachable from no root) are listed at the top level.
export function Tree() {
  const items = useItems();
  const { route } = useLocation();
  const claims = useClaims();
  const known = new Set(items.map((i) => i.id));
  const children = new Map<string, Summary[]>();
  const roots: Summary[] = [];
  for (const item of items) {
    if (item.parent && known.has(item.parent) && item.parent !== item.id) {
      const list = children.get(item.parent) ?? [];
      list.push(item);
      children.set(item.parent, list);
    } else {
      roots.push(item);
    }
  }
  const placed = new Set<string>();
  const branch = (item: Summary) => {
    placed.add(item.id);
    const below = (children.get(item.id) ?? []).filter((c) => !placed.has(c.id));
    below.forEach((c) => placed.add(c.id));
    return (
      <li data-id={item.id}>
        <span class="node" onClick={() => route(`/items/${item.id}`)}>
          <a class="id" href={`/items/${item.id}`}>{short(item.id)}</a> <span class="title">{item.title}</span>{" "}
          <Badges item={item} holding={claims.get(item.id)} />
        </span>
        {below.length > 0 && <ul>{below.map(branch)}</ul>}
      </li>
    );
  };
  const top = roots.map(branch);
  const looped = items.filter((i) => !placed.has(i.id));
  return (
    <section aria-label="Tree">
      <h1>Tree <span class="count">{items.length}</span></h1>
      {!items.length ? <p class="empty">Nothing here.</p> : (
        <ul class="tree">
          {top}
          {looped.map((i) => !placed.has(i.id) && branch(i))}
        </ul>
      )}
    </section>
  );
}
