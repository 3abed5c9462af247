import { useState } from "react";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Dialog } from "../../components/ui/Dialog.tsx";
import { describeError } from "../../lib/errors.ts";
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
    <Dialog
      open={open}
      onClose={close}
      dismissible={!signOutEverywhere.isPending}
      title="Sign out of all devices?"
      description="Every browser session of your account ends, including this one."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={signOutEverywhere.isPending}>
            Cancel
          </Button>
          <Button
            variant="danger"
            pending={signOutEverywhere.isPending}
            onClick={() => signOutEverywhere.mutate({ revokeApiTokens })}
          >
            Sign out everywhere
          </Button>
        </>
      }
    >
      <div className="space-y-3">
        {signOutEverywhere.error ? (
          <Alert>{describeError(signOutEverywhere.error).message}</Alert>
        ) : (
          <p className="text-[13px] text-fg-muted">
            You'll need your password to sign in again on each device.
          </p>
        )}
        <RevokeApiTokensOption
          checked={revokeApiTokens}
          onChange={setRevokeApiTokens}
          disabled={signOutEverywhere.isPending}
        />
      </div>
    </Dialog>
  );
}
