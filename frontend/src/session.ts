// Who is logged in, and the tracker's vocabulary the views need (statuses, kinds, tiers).
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { SessionInfo } from "./api";

export const SessionContext = createContext<SessionInfo | null>(null);

export function useSession(): SessionInfo {
  const session = useContext(SessionContext);
  if (!session) throw new Error("no session");
  return session;
}
