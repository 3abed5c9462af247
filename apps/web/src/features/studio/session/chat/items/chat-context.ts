import { createContext, useContext } from "react";

export interface ChatContextValue {
  sessionId: string;
  /** The signed-in person, to say "you" for their own answers. */
  userId: string;
  /** False once the session is stopped: prompts can no longer be answered. */
  live: boolean;
  /** The session failed: the newest provisioning attempt offers a retry. */
  failed: boolean;
  /** The newest provisioning attempt, the only one that can offer a retry. */
  lastProvisioningId: string | null;
}

export const ChatContext = createContext<ChatContextValue | null>(null);

export function useChatContext(): ChatContextValue {
  const value = useContext(ChatContext);
  if (!value) throw new Error("Chat items need a <ChatContext.Provider>");
  return value;
}
