import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Trash2 } from "lucide-react";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { Button } from "../../components/ui/Button.tsx";
import { DangerCard } from "../../components/ui/Card.tsx";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog.tsx";
import { Field } from "../../components/ui/Field.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";

interface DeletableOrganization {
  id: string;
  name: string;
  personal: boolean;
}

/**
 * The danger zone of an organisation's settings: its owners delete it, typing its name. A personal
 * workspace goes with its account instead, so the card says where that is.
 */
export function DeleteOrganizationCard({ organization }: { organization: DeletableOrganization }) {
  const { activeOrganization } = useCurrentUser();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const remove = useMutation(
    trpc.organizations.delete.mutationOptions({
      onSuccess: async (deleted) => {
        // This browser now acts in another organisation: every scoped view must reload.
        await queryClient.invalidateQueries();
        toast.show(`${deleted.name} was deleted.`);
        setConfirming(false);
        navigate("/", { replace: true });
      },
    }),
  );
  if (activeOrganization?.role !== "owner") return null;

  function close() {
    remove.reset();
    setTyped("");
    setMismatch(false);
    setConfirming(false);
  }

  function confirm() {
    const matches = typed.trim() === organization.name.trim();
    setMismatch(!matches);
    if (matches) remove.mutate({ organizationId: organization.id, confirmName: typed });
  }

  return (
    <DangerCard
      id="delete-organization-heading"
      title="Delete organisation"
      description={
        organization.personal ? (
          <>
            This is your personal workspace. It is deleted with your account, from{" "}
            <Link to="/settings/profile" className="font-medium text-accent-soft-fg hover:underline">
              your profile
            </Link>
            .
          </>
        ) : (
          "Its sessions, keys, credits, usage history, tokens and invitations are deleted for everyone. Live sessions must be stopped first."
        )
      }
      action={
        organization.personal ? null : (
          <Button variant="danger-outline" icon={<Trash2 />} onClick={() => setConfirming(true)}>
            Delete organisation
          </Button>
        )
      }
    >
      <ConfirmDialog
        open={confirming}
        onClose={close}
        onConfirm={confirm}
        pending={remove.isPending}
        error={remove.error}
        title={`Delete ${organization.name}?`}
        description="Everything it holds is deleted for every member, and cannot be brought back."
        confirmLabel="Delete organisation"
      >
        <Field
          label={`Type ${organization.name} to confirm`}
          error={
            mismatch ? `Type the organisation's name, ${organization.name}, exactly as shown.` : undefined
          }
        >
          <Input
            value={typed}
            onChange={(event) => {
              setTyped(event.target.value);
              setMismatch(false);
            }}
            autoComplete="off"
            spellCheck={false}
            disabled={remove.isPending}
          />
        </Field>
      </ConfirmDialog>
    </DangerCard>
  );
}
