import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ChevronsUpDown, Plus } from "lucide-react";
import { useState } from "react";
import { Avatar } from "../../components/ui/Avatar.tsx";
import { Menu, MenuItem, MenuLabel, MenuSeparator } from "../../components/ui/Menu.tsx";
import { Spinner } from "../../components/ui/Spinner.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError } from "../../lib/errors.ts";
import { roleLabel } from "../../lib/format.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";
import { CreateOrganizationDialog } from "./CreateOrganizationDialog.tsx";

export function OrganizationSwitcher() {
  const { activeOrganization, organizations } = useCurrentUser();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const switchTo = useMutation(
    trpc.organizations.switch.mutationOptions({
      onSuccess: async (organization) => {
        await queryClient.invalidateQueries();
        toast.show(`Switched to ${organization.name}.`);
      },
      onError: (error) =>
        toast.show(describeError(error).message ?? "Couldn't switch organisation.", "danger"),
    }),
  );

  const name = activeOrganization?.name ?? "No organisation";
  const detail = activeOrganization
    ? `${roleLabel(activeOrganization.role)}${activeOrganization.personal ? " · Personal" : ""}`
    : "Create one to get started";

  return (
    <>
      <Menu
        menuLabel="Organisations"
        triggerClassName="flex w-full items-center gap-2.5 rounded-lg p-1.5 text-left transition-colors hover:bg-surface-hover aria-expanded:bg-surface-hover"
        menuClassName="w-(--radix-dropdown-menu-trigger-width) min-w-64"
        trigger={
          <>
            <Avatar name={name} square />
            <span className="min-w-0 flex-1" data-testid="active-organization">
              <span className="sr-only">Organisation: </span>
              <span className="block truncate text-[13px] font-semibold text-fg">{name}</span>
              <span className="block truncate text-xs text-fg-muted">{detail}</span>
              <span className="sr-only">. Switch organisation</span>
            </span>
            {switchTo.isPending ? (
              <Spinner className="text-fg-muted" />
            ) : (
              <ChevronsUpDown className="size-4 shrink-0 text-fg-subtle" aria-hidden="true" />
            )}
          </>
        }
      >
        <MenuLabel>Organisations</MenuLabel>
        {organizations.map((organization) => (
          <MenuItem
            key={organization.id}
            checked={organization.id === activeOrganization?.id}
            disabled={switchTo.isPending}
            onSelect={() => {
              if (organization.id !== activeOrganization?.id)
                switchTo.mutate({ organizationId: organization.id });
            }}
            icon={<Avatar name={organization.name} square size="sm" />}
          >
            <span className="flex items-center justify-between gap-3">
              <span className="truncate">{organization.name}</span>
              <span className="text-xs text-fg-subtle">{roleLabel(organization.role)}</span>
            </span>
          </MenuItem>
        ))}
        <MenuSeparator />
        <MenuItem icon={<Plus />} onSelect={() => setCreating(true)}>
          Create organisation
        </MenuItem>
      </Menu>
      <CreateOrganizationDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
