import { useState } from "react";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog.tsx";
import { RevokeApiTokensOption } from "./RevokeApiTokensOption.tsx";
import { useSignOut } from "./use-sign-out.ts";

/** Confirms ending every browser session, and offers to revoke the account's API tokens with them. */
export function SignOutEverywhereDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { signOutEverywhere } = useSignOut();
  const [revokeApiTokens, setRevokeApiTokens] = useState(false);

  function close() {
    signOutEverywhere.reset();
    setRevokeApiTokens(false);
    onClose();
  }

  return (
    <ConfirmDialog
      open={open}
      onClose={close}
      onConfirm={() => signOutEverywhere.mutate({ revokeApiTokens })}
      pending={signOutEverywhere.isPending}
      error={signOutEverywhere.error}
      title="Sign out of all devices?"
      description="Every browser session of your account ends, including this one."
      note="You'll need your password to sign in again on each device."
      confirmLabel="Sign out everywhere"
    >
      <RevokeApiTokensOption
        checked={revokeApiTokens}
        onChange={setRevokeApiTokens}
        disabled={signOutEverywhere.isPending}
      />
    </ConfirmDialog>
  );
}
