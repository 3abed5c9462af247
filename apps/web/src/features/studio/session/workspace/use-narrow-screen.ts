import { useSyncExternalStore } from "react";

const QUERY = "(max-width: 767.98px)";

const subscribe = (onChange: () => void) => {
  const media = window.matchMedia(QUERY);
  media.addEventListener("change", onChange);
  return () => media.removeEventListener("change", onChange);
};

/** Below 768 px the workspace is a tab beside the chat rather than a panel next to it. */
export function useNarrowScreen(): boolean {
  return useSyncExternalStore(subscribe, () => window.matchMedia(QUERY).matches);
}
