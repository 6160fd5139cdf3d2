import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { ApiError, post } from "../api";
import { useSession } from "../session";

export function NewItem() {
  const session = useSession();
  const { route } = useLocation();
  const kinds = Object.keys(session.kinds);
  const [kind, setKind] = useState(kinds.includes("work_item") ? "work_item" : kinds[0]);
  const [title, setTitle] = useState("");
  const [priority, setPriority] = useState(2);
  const [tier, setTier] = useState("workspace");
  const [description, setDescription] = useState("");
  const [tags, setTags] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  const schema = session.kinds[kind]?.fields ?? {};

  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const answer = await post<{ id: string }>("/api/items", {
        kind, title, priority, tier, description, tags: tags.split(/[\s,]+/).filter(Boolean),
        fields: Object.fromEntries(Object.entries(fields).filter(([k, v]) => v && k in schema)),
      });
      route(`/items/${answer.id}`);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  return (
    <form class="edit new" onSubmit={create} aria-label="New item">
      <h1>New item</h1>
      <label>Kind <select name="kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
        {kinds.map((k) => <option value={k}>{k}</option>)}</select></label>
      <label>Title <input name="title" required value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} /></label>
      <label>Priority <select name="priority" value={String(priority)} onChange={(e) => setPriority(Number((e.target as HTMLSelectElement).value))}>
        {[0, 1, 2, 3, 4].map((p) => <option value={String(p)}>P{p}</option>)}</select></label>
      <label>Tier <select name="tier" value={tier} onChange={(e) => setTier((e.target as HTMLSelectElement).value)}>
        {session.tiers.map((t) => <option value={t}>{t}</option>)}</select></label>
      {Object.entries(schema).map(([name, spec]) => (
        <label>{name}{spec.required ? " (required)" : ""}
          <input name={`field-${name}`} required={spec.required} value={fields[name] ?? ""}
                 onInput={(e) => setFields({ ...fields, [name]: (e.target as HTMLInputElement).value })} /></label>
      ))}
      <label>Description (markdown) <textarea name="description" rows={6} value={description} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} /></label>
      <label>Tags <input name="tags" value={tags} onInput={(e) => setTags((e.target as HTMLInputElement).value)} /></label>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="buttons"><button type="submit" disabled={!title}>Create</button></div>
    </form>
  );
}
