import type { Summary } from "../api";

export function Badges({ item }: { item: Summary }) {
  return (
    <span class="badges">
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

export function ItemTable({ items, selected, onOpen }: { items: Summary[]; selected?: number; onOpen: (id: string) => void }) {
  if (items.length === 0) return <p class="empty">Nothing here.</p>;
  return (
    <table class="items">
      <thead><tr><th>ID</th><th>Title</th><th>State</th><th>Talk</th></tr></thead>
      <tbody>
        {items.map((item, n) => (
          <tr class={n === selected ? "selected" : ""} onClick={() => onOpen(item.id)} data-id={item.id}>
            <td class="id"><a href={`/items/${item.id}`}>{short(item.id)}</a></td>
            <td class="title">{item.title}</td>
            <td><Badges item={item} /></td>
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
