import { createContext, useContext } from "react";
import type { Me } from "../../lib/trpc.ts";

/** Who is signed in; provided by the app shell once `auth.me` has answered with a user. */
export const CurrentUserContext = createContext<Me | null>(null);

export function useCurrentUser(): Me {
  const me = useContext(CurrentUserContext);
  if (!me) throw new Error("useCurrentUser is only available inside the signed-in app shell");
  return me;
}
