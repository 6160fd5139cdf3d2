import { useEffect, useRef, useState } from "preact/hooks";
import { useRoute } from "preact-iso";
import { ApiError, get, post, type Holding, type Item, type LostClaim, type Summary } from "../api";
import { renderMarkdown } from "../markdown";
import { useChanged } from "../store";
import { useSession } from "../session";
import { useShortcuts } from "../keys";
import { Badges, left, short } from "./ItemRow";
import { EditForm } from "./EditForm";

type Deps = { parent: Summary | null; parent_id: string | null; children: Summary[]; blocks: Summary[]; blocked_by: Summary[] };
type Op = { id: string; type: string; at: string; by: string; actor: string | null; clock: number; nonce: string;
            counts_as: string; signed: boolean; body: Record<string, unknown>; outcome: string;
            reason: string | null; changes: { field: string; before: unknown; after: unknown }[] };

// Governance (locks, freeze) says which ops the page had on screen and is never refused as
// stale; edits and replies say which version they were based on and are refused (409) when the
// item changed meanwhile — the page then shows the item as it is now.
const GOVERNANCE = ["lock", "unlock", "freeze", "unfreeze", "clear"];

type Repaired = { item: Item; restored: number; has_sentinel: boolean };
type Asked = "clear" | "repair" | "release";
const ASKED: Record<Asked, string> = { clear: "Clear the discussion?", repair: "Repair drift?", release: "Release the claim?" };

export function Detail() {
  const { params } = useRoute();
  const session = useSession();
  const id = params.id;
  const [item, setItem] = useState<Item | null>(null);
  const [deps, setDeps] = useState<Deps | null>(null);
  const [ops, setOps] = useState<Op[] | null>(null);
  const [error, setError] = useState("");
  const [editing, setEditing] = useState(false);
  const [asking, setAsking] = useState<Asked | null>(null);
  const [notice, setNotice] = useState("");
  const keptUnread = useRef(false);  // marked unread here: viewing it no longer marks it read

  const load = async () => {
    try {
      const shown = await get<Item>(`/api/items/${encodeURIComponent(id)}`);
      setItem(shown);
      // The human has now seen this discussion as it stands (the TUI's and check-messages'
      // read state too).
      if (shown.discussion.length > 0 && session.by === "human" && !keptUnread.current) post(`/api/items/${encodeURIComponent(id)}/read`).catch(() => {});
      setDeps(await get<Deps>(`/api/items/${encodeURIComponent(id)}/deps`));
      if (ops !== null) loadHistory();
      setError("");
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const loadHistory = async () => {
    setOps((await get<{ ops: Op[] }>(`/api/items/${encodeURIComponent(id)}/history`)).ops);
  };

  useEffect(() => { setItem(null); setOps(null); setEditing(false); setAsking(null); setNotice(""); keptUnread.current = false; load(); }, [id]);

  // The TUI's `u`: the discussion waits in needs-you again until it is opened next time.
  const markUnread = async () => {
    try {
      await post(`/api/items/${encodeURIComponent(id)}/read`, { read: false });
      keptUnread.current = true;
      setNotice("Marked unread: it waits in Needs you again.");
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  useChanged((ids) => { if (ids.includes(id)) load(); }, [id, ops]);

  const act = async (path: string, body: Record<string, unknown> = {}) => {
    if (!item) return false;
    const governance = GOVERNANCE.includes(path);
    const payload = governance ? { ...body, seen: item.op_ids ?? [] } : body;
    const headers: Record<string, string> = !governance && item.version
      ? { "If-Match": `"${item.version}"` } : {};
    try {
      const answer = await post<{ item: Item }>(`/api/items/${encodeURIComponent(id)}/${path}`, payload, headers);
      setItem({ ...answer.item, op_ids: item.op_ids });
      setError("");
      load();
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        setError("This item changed while you were looking at it; nothing was written. Here it is now — look, then try again.");
        load();
      } else {
        setError(e instanceof ApiError ? e.message : String(e));
      }
      return false;
    }
  };

  // Put back the ops the frozen copy holds that the log lost (the TUI's R; asks first).
  const repair = async () => {
    if (!item) return;
    try {
      const answer = await post<Repaired>(`/api/items/${encodeURIComponent(id)}/repair`);
      setItem({ ...answer.item, op_ids: item.op_ids });
      setNotice(!answer.has_sentinel ? "No frozen copy to compare with: nothing repaired."
        : answer.restored ? `Drift repaired: ${answer.restored} op${answer.restored === 1 ? "" : "s"} put back.`
        : "No drift: the log holds every op of its frozen copy.");
      setError("");
      load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  // Free the item from whoever holds it (the TUI's C, `htrac release` as the human).
  const release = async () => {
    if (!item) return;
    try {
      const answer = await post<{ item: Item; released: string }>(`/api/items/${encodeURIComponent(id)}/release`);
      setItem({ ...answer.item, op_ids: item.op_ids });
      setNotice(`Released: it was held by ${answer.released}.`);
      setError("");
      load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const confirmed = async () => {
    const what = asking;
    setAsking(null);
    if (what === "clear" && await act("clear")) setNotice("Discussion cleared.");
    if (what === "repair") await repair();
    if (what === "release") await release();
  };

  useShortcuts([
    { key: "e", label: "edit", run: () => setEditing(true) },
    { key: "u", label: "mark unread", run: markUnread },
    { key: "D", label: "clear discussion", run: () => { setNotice(""); setAsking("clear"); } },
    { key: "R", label: "repair drift", run: () => { setNotice(""); setAsking("repair"); } },
    { key: "f", label: "freeze", run: () => item && act(item.frozen ? "unfreeze" : "freeze") },
    { key: "r", label: "reply", run: () => document.getElementById("reply")?.focus() },
  ]);

  if (!item) return error ? <p class="error" role="alert">{error}</p> : <p class="loading">Loading…</p>;
  return (
    <article class="detail" aria-label={item.title}>
      <header>
        <p class="id">{item.id} · {item.kind}</p>
        <h1>{item.title}</h1>
        <Badges item={{ ...item, discussion_count: item.discussion.length, last_by: null }} holding={item.holding} />
      </header>
      {error && <p class="error" role="alert">{error}</p>}
      {item.problems && item.problems.length > 0 && (
        <ul class="problems" aria-label="Problems">
          {item.problems.map((p) => <li>{p.kind}: {p.op ?? "op"} {p.nonce ?? ""} — {p.reason}</li>)}
        </ul>
      )}
      {(item.holding || (item.lost_claims ?? []).length > 0) &&
        <ClaimView holding={item.holding ?? null} lost={item.lost_claims ?? []} />}
      <Actions item={item} act={act} onEdit={() => setEditing(true)} ask={(what) => { setNotice(""); setAsking(what); }}
               markUnread={session.by === "human" && item.discussion.length > 0 ? markUnread : null} />
      {asking && (
        <div class="confirm" role="alertdialog" aria-label={ASKED[asking]}>
          <p>{asking === "clear"
            ? `Clear the whole discussion of ${item.id} (${item.discussion.filter((m) => !m.is_tombstoned).length} message(s))? Everyone stops seeing it; the ops stay in the log's history.`
            : asking === "release"
            ? `Free ${item.id} from ${item.holding?.holder ?? "its holder"}? It goes back to the status it had before the claim.`
            : `Put back into ${item.id}'s log the ops its frozen copy holds and the log lost?`}</p>
          <button type="button" name="confirm" onClick={confirmed}>{asking === "clear" ? "Clear discussion" : asking === "release" ? "Release claim" : "Repair drift"}</button>
          <button type="button" name="cancel" onClick={() => setAsking(null)}>Cancel</button>
        </div>
      )}
      {notice && <p class="note" role="status">{notice}</p>}
      {editing && <EditForm item={item} onDone={(updated) => { setEditing(false); if (updated) setItem(updated); load(); }} />}
      <section class="description" aria-label="Description">
        {item.description ? <div class="md" dangerouslySetInnerHTML={{ __html: renderMarkdown(item.description) }} />
          : <p class="empty">No description.</p>}
      </section>
      {Object.keys(item.fields).length > 0 && (
        <dl class="fields">{Object.entries(item.fields).map(([k, v]) => <><dt>{k}</dt><dd>{typeof v === "string" ? v : JSON.stringify(v)}</dd></>)}</dl>
      )}
      <Locks item={item} act={act} />
      {deps && <DepsView deps={deps} />}
      <Discussion item={item} act={act} />
      <section class="history" aria-label="History">
        <h2>History</h2>
        {ops === null ? <button type="button" onClick={loadHistory}>Show history</button> : (
          <ol>
            {ops.map((op) => (
              <li class={`outcome-${op.outcome}`} data-op={op.id}>
                <code>{op.type}</code> by {op.actor ?? op.by} ({op.counts_as}{op.signed ? ", signed" : ""}) at {op.at}, clock {op.clock} — {op.outcome}
                {op.changes.length > 0 && (
                  <ul class="changes">{op.changes.map((c) => <li><code>{c.field}</code>: {JSON.stringify(c.before)} → {JSON.stringify(c.after)}</li>)}</ul>
                )}
                {op.reason && <p class={op.outcome === "rejected" ? "error" : "reason"}>{op.reason}</p>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </article>
  );
}

type Act = (path: string, body?: Record<string, unknown>) => Promise<boolean>;

function Actions({ item, act, onEdit, ask, markUnread }: {
  item: Item; act: Act; onEdit: () => void; ask: (what: Asked) => void; markUnread: (() => void) | null }) {
  const session = useSession();
  const moves = item.tier === "workspace" ? ["canonical", "stealth"] : ["workspace"];
  return (
    <section class="actions" aria-label="Actions">
      <label>Status{" "}
        <select value={item.status} onChange={(e) => act("update", { status: (e.target as HTMLSelectElement).value })}>
          {session.statuses.map((s) => <option value={s}>{s}</option>)}
        </select>
      </label>
      <label>Priority{" "}
        <select value={String(item.priority)} onChange={(e) => act("update", { priority: Number((e.target as HTMLSelectElement).value) })}>
          {[0, 1, 2, 3, 4].map((p) => <option value={String(p)}>P{p}</option>)}
        </select>
      </label>
      {moves.map((tier) => <button type="button" onClick={() => act("move", { to: tier })}>Move to {tier}</button>)}
      <button type="button" onClick={() => act(item.frozen ? "unfreeze" : "freeze")}>{item.frozen ? "Unfreeze" : "Freeze"}</button>
      <button type="button" onClick={onEdit}>Edit</button>
      {markUnread && <button type="button" name="unread" onClick={markUnread}>Mark unread</button>}
      <button type="button" name="clear" onClick={() => ask("clear")}>Clear discussion…</button>
      {item.frozen && <button type="button" name="repair" onClick={() => ask("repair")}>Repair drift…</button>}
      {item.holding && <button type="button" name="release" onClick={() => ask("release")}>Release claim…</button>}
    </section>
  );
}

function Locks({ item, act }: { item: Item; act: Act }) {
  const session = useSession();
  return (
    <fieldset class="locks">
      <legend>Locked fields (agents may not change them)</legend>
      {session.lockable.map((name) => {
        const locked = item.locked_fields.includes(name);
        return (
          <label class="lock">
            <input type="checkbox" name={`lock-${name}`} checked={locked}
                   onChange={() => act(locked ? "unlock" : "lock", { fields: [name] })} />
            {name}
          </label>
        );
      })}
    </fieldset>
  );
}

// Who works on the item: the holder, the session, the lease as the server judged it when the
// page loaded (stale once expired), reserved paths, and claim ops that lost a race.
function ClaimView({ holding, lost }: { holding: Holding | null; lost: LostClaim[] }) {
  return (
    <section class={`claimview${holding && !holding.live ? " stale" : ""}`} aria-label="Claim">
      <h2>Claim</h2>
      {holding ? (
        <dl>
          <dt>Holder</dt><dd><strong>{holding.actor}</strong> ({holding.by}), session <code>{holding.session}</code></dd>
          <dt>Lease</dt>
          <dd>{holding.live ? <>live, {left(holding.lease.seconds_left)} left (until <time>{holding.lease.expires_at}</time>)</>
                : <strong class="stale-flag">stale — expired{holding.lease.expires_at ? <> at <time>{holding.lease.expires_at}</time></> : null}; agents may take it over</strong>}
              {holding.lease.suspect && <span class="error"> · a renewal is dated in the future: not trusted</span>}</dd>
          <dt>Taken</dt><dd><time>{holding.taken_at}</time>{holding.from ? ` from ${holding.from}` : ""}; last renewed <time>{holding.renewed_at}</time></dd>
          {holding.paths.length > 0 && <><dt>Reserves</dt><dd>{holding.paths.map((p) => <code>{p} </code>)}</dd></>}
        </dl>
      ) : <p class="empty">No one holds it now.</p>}
      {lost.length > 0 && (
        <details>
          <summary>{lost.length} claim op{lost.length === 1 ? "" : "s"} that lost a race</summary>
          <ul>{lost.map((c) => <li>{c.action} by {c.actor}/{c.session} at <time>{c.at}</time> — {c.reason}{c.winner ? ` (held by ${c.winner})` : ""}</li>)}</ul>
        </details>
      )}
    </section>
  );
}

function DepsView({ deps }: { deps: Deps }) {
  const link = (i: Summary) => <li><a href={`/items/${i.id}`}>{short(i.id)}</a> {i.title} <span class={`status s-${i.status}`}>{i.status}</span></li>;
  const any = deps.parent_id || deps.children.length || deps.blocks.length || deps.blocked_by.length;
  if (!any) return null;
  return (
    <section class="deps" aria-label="Dependencies">
      <h2>Dependencies</h2>
      {deps.parent_id && <p>Parent: {deps.parent ? <a href={`/items/${deps.parent.id}`}>{short(deps.parent.id)} {deps.parent.title}</a> : deps.parent_id}</p>}
      {deps.blocked_by.length > 0 && <><h3>Must finish first</h3><ul>{deps.blocked_by.map(link)}</ul></>}
      {deps.blocks.length > 0 && <><h3>Blocks</h3><ul>{deps.blocks.map(link)}</ul></>}
      {deps.children.length > 0 && <><h3>Children</h3><ul>{deps.children.map(link)}</ul></>}
    </section>
  );
}

function Discussion({ item, act }: { item: Item; act: Act }) {
  const [text, setText] = useState("");
  const box = useRef<HTMLTextAreaElement>(null);
  const send = async (e: Event) => {
    e.preventDefault();
    if (!text.trim()) return;
    if (await act("discuss", { message: text })) setText("");  // kept when refused
  };
  return (
    <section class="discussion" aria-label="Discussion">
      <h2>Discussion</h2>
      {item.discussion.filter((m) => !m.is_tombstoned).map((m) => (
        <div class={`message by-${m.by}`} data-nonce={m.nonce}>
          <p class="meta"><strong>{m.actor}</strong> <span class="by">({m.by})</span> · <time>{m.at}</time>{m.is_summary ? " · summary" : ""}</p>
          <div class="md" dangerouslySetInnerHTML={{ __html: renderMarkdown(m.message) }} />
        </div>
      ))}
      <form onSubmit={send} class="reply" aria-label="Reply">
        <textarea id="reply" ref={box} name="reply" rows={3} placeholder="Reply (markdown)…" value={text}
                  onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
                  onKeyDown={(e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) send(e); if (e.key === "Escape") box.current?.blur(); }} />
        <button type="submit" disabled={!text.trim()}>Reply</button>
      </form>
    </section>
  );
}
