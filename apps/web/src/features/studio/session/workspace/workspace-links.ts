import { createContext, useContext } from "react";

/** How the chat opens things in the workspace panel; absent where there is no panel. */
export interface WorkspaceLinks {
  /** Shows the file (workspace-relative path) in the File view. */
  openFile: (path: string) => void;
  /** Shows the file's change since the base in the Changes view. */
  openChange: (path: string) => void;
}

export const WorkspaceLinksContext = createContext<WorkspaceLinks | null>(null);

export function useWorkspaceLinks(): WorkspaceLinks | null {
  return useContext(WorkspaceLinksContext);
}
