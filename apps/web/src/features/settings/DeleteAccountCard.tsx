import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Trash2 } from "lucide-react";
import { useState } from "react";
import { useNavigate } from "react-router";
import { Button } from "../../components/ui/Button.tsx";
import { DangerCard } from "../../components/ui/Card.tsx";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog.tsx";
import { Field } from "../../components/ui/Field.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { useTRPC } from "../../lib/trpc.ts";

/**
 * The danger zone of the profile: the person deletes their account, confirming with their password.
 * The studio refuses, saying why, while an organisation they alone own has other members or one
 * going with the account has live sessions; the dialog shows that and stays open.
 */
export function DeleteAccountCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const [password, setPassword] = useState("");
  const [missing, setMissing] = useState(false);
  const remove = useMutation(
    trpc.auth.deleteAccount.mutationOptions({
      onSuccess: () => {
        // Signed out by the studio: nothing of the account may stay in this tab.
        queryClient.clear();
        toast.show("Your account was deleted.");
        navigate("/sign-in", { replace: true });
      },
    }),
  );

  function close() {
    remove.reset();
    setPassword("");
    setMissing(false);
    setConfirming(false);
  }

  function confirm() {
    setMissing(password === "");
    if (password !== "") remove.mutate({ password });
  }

  return (
    <DangerCard
      id="delete-account-heading"
      title="Delete account"
      description="Deletes your account and every organisation you are the only member of, with their sessions and history. Organisations you alone own that others use must be handed over or deleted first."
      action={
        <Button variant="danger-outline" icon={<Trash2 />} onClick={() => setConfirming(true)}>
          Delete account
        </Button>
      }
    >
      <ConfirmDialog
        open={confirming}
        onClose={close}
        onConfirm={confirm}
        pending={remove.isPending}
        error={remove.error}
        title="Delete your account?"
        description="You are signed out everywhere and your API tokens stop working. This cannot be undone."
        confirmLabel="Delete account"
      >
        <Field label="Your password" error={missing ? "Enter your password to confirm." : undefined}>
          <Input
            type="password"
            value={password}
            onChange={(event) => {
              setPassword(event.target.value);
              setMissing(false);
            }}
            autoComplete="current-password"
            disabled={remove.isPending}
          />
        </Field>
      </ConfirmDialog>
    </DangerCard>
  );
}
