import { useEffect, useState } from "preact/hooks";
import { LocationProvider, Route, Router } from "preact-iso";
import { device, get, post, token, whenUnauthorized, type SessionInfo } from "./api";
import { startLive, stopLive } from "./live";
import { SessionContext } from "./session";
import { Layout } from "./views/Layout";
import { Login } from "./views/Login";
import { NeedsYou } from "./views/NeedsYou";
import { Board } from "./views/Board";
import { ListView } from "./views/ListView";
import { Detail } from "./views/Detail";
import { NewItem } from "./views/NewItem";
import { Activity } from "./views/Activity";
import { Tree } from "./views/Tree";

export function App() {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [checked, setChecked] = useState(false);

  const begin = async () => {
    try {
      const info = await get<SessionInfo>("/api/auth/session");
      setSession(info);
      startLive();
    } catch {
      token.clear();
      setSession(null);
    } finally {
      setChecked(true);
    }
  };

  useEffect(() => {
    device.fromAddress();
    whenUnauthorized(() => { stopLive(); token.clear(); setSession(null); });
    if (token.get()) begin(); else setChecked(true);
  }, []);

  const logout = async () => {
    try { await post("/api/auth/logout"); } catch { /* gone already */ }
    stopLive();
    token.clear();
    setSession(null);
  };

  if (!checked) return <p class="loading">Loading…</p>;
  if (!session) return <Login onLoggedIn={(t) => { token.set(t); begin(); }} />;
  return (
    <SessionContext.Provider value={session}>
      <LocationProvider>
        <Layout onLogout={logout}>
          <Router>
            <Route path="/" component={NeedsYou} />
            <Route path="/board" component={Board} />
            <Route path="/list" component={ListView} />
            <Route path="/activity" component={Activity} />
            <Route path="/tree" component={Tree} />
            <Route path="/new" component={NewItem} />
            <Route path="/items/:id" component={Detail} />
            <Route default component={NeedsYou} />
          </Router>
        </Layout>
      </LocationProvider>
    </SessionContext.Provider>
  );
}
