import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { startRegistration } from "@simplewebauthn/browser";
import { ApiError, post } from "../api";
import { switchEditMode, useEditMode } from "../editmode";
import { useLive } from "../live";
import { SHEET, useShortcuts } from "../keys";
import { useSession } from "../session";

const NAV: [string, string][] = [["/", "Needs you"], ["/board", "Board"], ["/list", "List"], ["/tree", "Tree"], ["/activity", "Activity"],
                                  ["/new", "New item"]];

export function Layout({ children, onLogout }: { children: ComponentChildren; onLogout: () => void }) {
  const { path, route } = useLocation();
  const live = useLive();
  const session = useSession();
  const [help, setHelp] = useState(false);
  const [note, setNote] = useState("");
  const [editMode, editLeft] = useEditMode();

  // Open or close an edit-mode window (the TUI's Ctrl+E): human only, the server says so.
  const toggleEditMode = async () => {
    setNote("");
    try {
      await switchEditMode(!editMode.active);
    } catch (e) {
      setNote(`Edit mode not switched: ${e instanceof ApiError ? e.message : String(e)}`);
    }
  };

  useShortcuts([
    { key: "?", label: "help", run: () => setHelp((h) => !h) },
    { key: "Escape", label: "close", run: () => setHelp(false) },
    { key: "1", label: "needs you", run: () => route("/") },
    { key: "2", label: "board", run: () => route("/board") },
    { key: "3", label: "list", run: () => route("/list") },
    { key: "4", label: "activity", run: () => route("/activity") },
    { key: "5", label: "tree", run: () => route("/tree") },
    { key: "E", label: "edit mode", run: toggleEditMode },
    { key: "n", label: "new", run: () => route("/new") },
  ]);

  const addPasskey = async () => {
    setNote("");
    try {
      const options = await post("/api/auth/passkey/register/options");
      const credential = await startRegistration({ optionsJSON: options });
      await post("/api/auth/passkey/register", { credential, name: navigator.platform || "passkey" });
      setNote("Passkey added.");
    } catch (e) {
      setNote(e instanceof Error ? `Passkey not added: ${e.message}` : "Passkey not added");
    }
  };

  return (
    <div class="shell">
      <header>
        <nav aria-label="Views">
          <span class="brand">htrac</span>
          {NAV.map(([href, label]) => (
            <a href={href} aria-current={path === href ? "page" : undefined}>{label}</a>
          ))}
        </nav>
        <div class="who">
          <span class={`live ${live}`} role="status" aria-live="polite" data-live={live}>
            {live === "live" ? "● live" : live === "reconnecting" ? "○ reconnecting…" : live === "offline" ? "○ offline" : "○ connecting…"}
          </span>
          <span title={`acting as ${session.by} ${session.user}`}>{session.user}</span>
          <button type="button" name="edit-mode" onClick={toggleEditMode} aria-pressed={editMode.active}
                  title="Open or close a window in which discussion messages may be edited (E)">
            {editMode.active ? "Close edit mode" : "Edit mode"}</button>
          <button type="button" onClick={addPasskey}>Add passkey</button>
          <button type="button" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">?</button>
          <button type="button" onClick={onLogout}>Log out</button>
        </div>
      </header>
      {editMode.active && (
        <p class="editmode" role="status" data-edit-mode="on">
          EDIT MODE ON — {Math.floor(editLeft / 60)}m {String(editLeft % 60).padStart(2, "0")}s remaining — {editMode.ops_used}/{editMode.cap_max} ops
        </p>
      )}
      {note && <p class="note" role="status">{note}</p>}
      {session.by !== "human" && (
        <p class="warning" role="alert">This server runs as agent user {session.user}: you have that agent's rights, not a human's.</p>
      )}
      <main>{children}</main>
      {help && (
        <div class="overlay" role="dialog" aria-label="Keyboard shortcuts" onClick={() => setHelp(false)}>
          <div class="sheet" onClick={(e) => e.stopPropagation()}>
            <h2>Keyboard shortcuts</h2>
            <table>
              <tbody>{SHEET.map(([key, what]) => <tr><th><kbd>{key}</kbd></th><td>{what}</td></tr>)}</tbody>
            </table>
            <button type="button" onClick={() => setHelp(false)}>Close</button>
          </div>
        </div>
      )}
    </div>
  );
}
