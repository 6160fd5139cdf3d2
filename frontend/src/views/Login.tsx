import { useEffect, useState } from "preact/hooks";
import { startAuthentication } from "@simplewebauthn/browser";
import { ApiError, get, post } from "../api";

type Status = { password: boolean; passkeys: boolean };

export function Login({ onLoggedIn }: { onLoggedIn: (token: string) => void }) {
  const [status, setStatus] = useState<Status | null>(null);
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => { get<Status>("/api/auth/status").then(setStatus).catch(() => {}); }, []);

  const withPassword = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      const answer = await post<{ token: string }>("/api/auth/login", { password });
      onLoggedIn(answer.token);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "cannot reach the server");
    } finally {
      setBusy(false);
    }
  };

  const withPasskey = async () => {
    setError("");
    try {
      const begin = await post<{ challenge_id: string; options: any }>("/api/auth/passkey/login/options");
      const credential = await startAuthentication({ optionsJSON: begin.options });
      const answer = await post<{ token: string }>("/api/auth/passkey/login",
        { challenge_id: begin.challenge_id, credential });
      onLoggedIn(answer.token);
    } catch (e) {
      setError(e instanceof Error ? e.message : "passkey login failed");
    }
  };

  return (
    <main class="login">
      <h1>htrac</h1>
      <form onSubmit={withPassword} aria-label="Log in">
        <label>
          Password
          <input type="password" name="password" autocomplete="current-password" autofocus
                 value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={busy || !password}>Log in</button>
      </form>
      {status?.passkeys && <button type="button" class="passkey" onClick={withPasskey}>Log in with a passkey</button>}
      {status && !status.password && !status.passkeys &&
        <p class="hint">No password is set yet: run <code>htrac serve passwd</code> on the server's machine.</p>}
      {error && <p class="error" role="alert">{error}</p>}
    </main>
  );
}
