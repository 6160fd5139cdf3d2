import type { Holding, Summary } from "../api";
import { useClaims } from "../claims";

export function Badges({ item, holding }: { item: Summary; holding?: Holding | null }) {
  return (
    <span class="badges">
      {holding && <ClaimBadge holding={holding} />}
      <span class={`status s-${item.status}`}>{item.status}</span>
      <span class="prio">P{item.priority}</span>
      {item.tier !== "workspace" && <span class="tier">{item.tier}</span>}
      {item.frozen && <span class="frozen" title="frozen">frozen</span>}
      {!item.frozen && item.locked_fields.length > 0 && <span class="locked" title={item.locked_fields.join(", ")}>locked {item.locked_fields.length}</span>}
      {item.damaged && <span class="damaged">damaged</span>}
      {item.tags.map((t) => <span class="tag">#{t}</span>)}
    </span>
  );
}

/** The holder of a claim, flagged stale once its lease has expired (the service's judgement). */
export function ClaimBadge({ holding }: { holding: Holding }) {
  const stale = !holding.live;
  return (
    <span class={`claim${stale ? " stale" : ""}${holding.lease.suspect ? " suspect" : ""}`} title={holding.text}
          data-holder={holding.holder}>
      {stale ? "stale: " : "⚑ "}{holding.holder}{holding.live ? ` · ${left(holding.lease.seconds_left)}` : ""}
    </span>
  );
}

/** `14m`, `2h 5m`, `40s` — how much of the lease was left when the server answered. */
export function left(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m` : `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

export function ItemTable({ items, selected, onOpen }: { items: Summary[]; selected?: number; onOpen: (id: string) => void }) {
  const claims = useClaims();
  if (items.length === 0) return <p class="empty">Nothing here.</p>;
  return (
    <table class="items">
      <thead><tr><th>ID</th><th>Title</th><th>State</th><th>Talk</th></tr></thead>
      <tbody>
        {items.map((item, n) => (
          <tr class={n === selected ? "selected" : ""} onClick={() => onOpen(item.id)} data-id={item.id}>
            <td class="id"><a href={`/items/${item.id}`}>{short(item.id)}</a></td>
            <td class="title">{item.title}</td>
            <td><Badges item={item} holding={claims.get(item.id)} /></td>
            <td class="talk">{item.discussion_count > 0 ? `${item.discussion_count}${item.last_by === "agent" ? " · agent last" : ""}` : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function short(id: string): string {
  const parts = id.split("-");
  return parts.length > 2 ? `${parts[0]}-${parts[1]}` : id;
}
