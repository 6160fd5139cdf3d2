import { useState } from "preact/hooks";
import { ApiError, post, type Item } from "../api";

const shown = (value: unknown) => typeof value === "string" ? value : JSON.stringify(value);

// Edits say which version they were based on: a change made meanwhile (by an agent, the CLI)
// is refused with 409 and shown, instead of being silently overwritten.
export function EditForm({ item, onDone }: { item: Item; onDone: (updated: Item | null) => void }) {
  const [title, setTitle] = useState(item.title);
  const [description, setDescription] = useState(item.description);
  const [tags, setTags] = useState(item.tags.join(" "));
  const [prRef, setPrRef] = useState(item.pr_ref ?? "");
  const [parent, setParent] = useState(item.parent ?? "");
  const [before, setBefore] = useState(item.isbefore.join(" "));
  const [fieldText, setFieldText] = useState(Object.entries(item.fields).map(([k, v]) => `${k}=${shown(v)}`).join("\n"));
  const [error, setError] = useState("");
  const [base] = useState(item.version);  // the version the edit began from, whatever arrives live

  const save = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    if (title !== item.title) body.title = title;
    if (description !== item.description) body.description = description;
    const tagList = tags.split(/[\s,]+/).filter(Boolean);
    if (tagList.join(" ") !== item.tags.join(" ")) body.tags = tagList;
    if (prRef !== (item.pr_ref ?? "")) body.pr_ref = prRef;
    const newParent = parent.trim();
    if (newParent !== (item.parent ?? "")) {
      if (newParent) body.parent = newParent; else body.clear_parent = true;
    }
    // this item must finish before these: only what changed is sent (an add, a remove)
    const wanted = before.split(/[\s,]+/).filter(Boolean);
    const added = wanted.filter((id) => !item.isbefore.includes(id));
    const removed = item.isbefore.filter((id) => !wanted.includes(id));
    if (added.length) body.add = { isbefore: added };
    // the kind's fields, as the TUI's form takes them: key=value lines; an empty value or a
    // line taken out removes the key; only what changed is sent
    const lines = fieldText.split("\n").map((l) => l.trim()).filter(Boolean);
    const bad = lines.find((l) => !l.includes("="));
    if (bad) { setError(`Fields: "${bad}" is not key=value`); return; }
    const entered = new Map(lines.map((l) => [l.slice(0, l.indexOf("=")).trim(), l.slice(l.indexOf("=") + 1).trim()]));
    const fields: Record<string, string | null> = {};
    for (const [k, v] of entered) if (!(k in item.fields) ? v : shown(item.fields[k]) !== v) fields[k] = v || null;
    for (const k of Object.keys(item.fields)) if (!entered.has(k)) fields[k] = null;
    if (Object.keys(fields).length) body.fields = fields;
    if (removed.length) body.remove = { isbefore: removed };
    if (Object.keys(body).length === 0) { onDone(null); return; }
    try {
      const answer = await post<{ item: Item }>(`/api/items/${encodeURIComponent(item.id)}/update`, body,
        base ? { "If-Match": `"${base}"` } : {});
      onDone(answer.item);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        setError("Someone changed this item while you were editing: your edit was not saved. Their version is shown above; your text is still here.");
      } else {
        setError(err instanceof ApiError ? err.message : String(err));
      }
    }
  };

  return (
    <form class="edit" onSubmit={save} aria-label="Edit item">
      <label>Title <input name="title" value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} /></label>
      <label>Description (markdown)
        <textarea name="description" rows={8} value={description} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} />
      </label>
      <label>Tags <input name="tags" value={tags} onInput={(e) => setTags((e.target as HTMLInputElement).value)} /></label>
      <label>PR <input name="pr_ref" value={prRef} onInput={(e) => setPrRef((e.target as HTMLInputElement).value)} /></label>
      <label>Parent (an item ID; empty: none) <input name="parent" value={parent} onInput={(e) => setParent((e.target as HTMLInputElement).value)} /></label>
      <label>Fields (key=value, one a line; an empty value removes the key)
        <textarea name="fields" rows={3} value={fieldText} onInput={(e) => setFieldText((e.target as HTMLTextAreaElement).value)} />
      </label>
      <label>Must finish before (item IDs) <input name="isbefore" value={before} onInput={(e) => setBefore((e.target as HTMLInputElement).value)} /></label>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="buttons">
        <button type="submit">Save</button>
        <button type="button" onClick={() => onDone(null)}>Cancel</button>
      </div>
    </form>
  );
}
