import { useCallback, useState } from "react";

const KEY = "studio.workspacePanel";

function stored(): boolean {
  try {
    return window.localStorage.getItem(KEY) === "open";
  } catch {
    return false;
  }
}

/** Whether the desktop workspace panel is shown, remembered across sessions and reloads. */
export function usePanelOpen(): [boolean, (open: boolean) => void] {
  const [open, setOpenState] = useState(stored);
  const setOpen = useCallback((next: boolean) => {
    setOpenState(next);
    try {
      window.localStorage.setItem(KEY, next ? "open" : "closed");
    } catch {
      // Private windows may refuse storage: the panel still toggles, it is just not remembered.
    }
  }, []);
  return [open, setOpen];
}
