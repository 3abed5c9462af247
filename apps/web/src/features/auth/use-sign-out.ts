import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { useToast } from "../../components/ui/Toast.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { describeEndedAccess } from "./ended-access.ts";

/** Ends this session (or all of them, and API tokens when asked) and leaves the app with an empty cache. */
export function useSignOut() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const leave = () => {
    queryClient.clear();
    navigate("/sign-in", { replace: true });
  };
  const signOut = useMutation(trpc.auth.signOut.mutationOptions({ onSuccess: leave }));
  const signOutEverywhere = useMutation(
    trpc.auth.signOutEverywhere.mutationOptions({
      onSuccess: (ended, input) => {
        // Said here, not by the caller: the menu that asked is gone once the app is left.
        toast.show(
          describeEndedAccess(ended, { revokeAsked: input?.revokeApiTokens === true, others: false }),
        );
        leave();
      },
    }),
  );
  return { signOut, signOutEverywhere };
}
