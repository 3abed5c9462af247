import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { useTRPC } from "../../lib/trpc.ts";

/** Ends this session (or all of them) and leaves the app with an empty cache. */
export function useSignOut() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const leave = () => {
    queryClient.clear();
    navigate("/sign-in", { replace: true });
  };
  const signOut = useMutation(trpc.auth.signOut.mutationOptions({ onSuccess: leave }));
  const signOutEverywhere = useMutation(trpc.auth.signOutEverywhere.mutationOptions({ onSuccess: leave }));
  return { signOut, signOutEverywhere };
}
