import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Trash, Users } from "lucide-react";
import { useState } from "react";
import { Avatar } from "../../components/ui/Avatar.tsx";
import { Badge } from "../../components/ui/Badge.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardHeader } from "../../components/ui/Card.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { Select } from "../../components/ui/Input.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { Spinner } from "../../components/ui/Spinner.tsx";
import { ACTIONS_COLUMN, type TableColumn, TableHead } from "../../components/ui/Table.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError } from "../../lib/errors.ts";
import { formatDate, type Role, roleLabel } from "../../lib/format.ts";
import { assignableRoles, canManage } from "../../lib/roles.ts";
import { type RouterOutputs, useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";
import { RemoveMemberDialog } from "./RemoveMemberDialog.tsx";

export type Member = RouterOutputs["members"]["list"][number];

const roleTone = { owner: "accent", admin: "neutral", member: "neutral" } as const;

const MEMBER_COLUMNS: TableColumn[] = [
  { label: "Member" },
  { label: "Role" },
  { label: "Joined", from: "md" },
  ACTIONS_COLUMN,
];

export function MembersCard() {
  const trpc = useTRPC();
  const { user, activeOrganization } = useCurrentUser();
  const members = useQuery(trpc.members.list.queryOptions());
  const [removing, setRemoving] = useState<Member | null>(null);
  const count = members.data?.length;

  return (
    <Card aria-labelledby="members-heading">
      <CardHeader
        id="members-heading"
        title="Members"
        description={
          count === undefined
            ? `People in ${activeOrganization?.name ?? "this organisation"}.`
            : `${count} ${count === 1 ? "person" : "people"} in ${activeOrganization?.name ?? "this organisation"}.`
        }
      />
      {members.isPending ? (
        <SkeletonRows label="Loading members" rows={3} />
      ) : members.isError ? (
        <ErrorState
          error={members.error}
          onRetry={() => void members.refetch()}
          title="Couldn't load members"
        />
      ) : members.data.length === 0 ? (
        <EmptyState icon={Users} title="No members" description="Invite someone to start working together." />
      ) : (
        <div className="relative overflow-x-auto">
          <table className="w-full text-left text-[13px]">
            <TableHead columns={MEMBER_COLUMNS} />
            <tbody className="divide-y divide-line">
              {members.data.map((member) => (
                <MemberRow
                  key={member.userId}
                  member={member}
                  isYou={member.userId === user.id}
                  actorRole={activeOrganization?.role ?? "member"}
                  onRemove={() => setRemoving(member)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <RemoveMemberDialog member={removing} onClose={() => setRemoving(null)} />
    </Card>
  );
}

function MemberRow({
  member,
  isYou,
  actorRole,
  onRemove,
}: {
  member: Member;
  isYou: boolean;
  actorRole: Role;
  onRemove: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const changeRole = useMutation(
    trpc.members.changeRole.mutationOptions({
      onSuccess: async (updated) => {
        await queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
        toast.show(`${updated.name} is now ${roleLabel(updated.role).toLowerCase()}.`);
      },
      onError: (error) => toast.show(describeError(error).message ?? "Couldn't change the role.", "danger"),
    }),
  );
  const manageable = !isYou && canManage(actorRole, member.role);

  return (
    <tr>
      <td className="py-3 pr-3 pl-4 sm:pl-5">
        <div className="flex min-w-0 items-center gap-3">
          <span className="hidden sm:contents">
            <Avatar name={member.name} />
          </span>
          <div className="max-w-[calc(100vw-16rem)] min-w-0 sm:max-w-xs">
            <p className="truncate font-medium text-fg">
              {member.name}
              {isYou ? <span className="ml-1.5 font-normal text-fg-muted">(you)</span> : null}
            </p>
            <p className="truncate text-fg-muted">{member.email}</p>
          </div>
        </div>
      </td>
      <td className="px-3 py-3">
        {manageable ? (
          <div className="flex items-center gap-2">
            <div className="w-28">
              <Select
                aria-label={`Role for ${member.name}`}
                value={member.role}
                disabled={changeRole.isPending}
                onChange={(event) =>
                  changeRole.mutate({ userId: member.userId, role: event.target.value as Role })
                }
                controlSize="sm"
              >
                {assignableRoles(actorRole).map((role) => (
                  <option key={role} value={role}>
                    {roleLabel(role)}
                  </option>
                ))}
              </Select>
            </div>
            {changeRole.isPending ? <Spinner className="text-fg-muted" label="Saving role" /> : null}
          </div>
        ) : (
          <Badge tone={roleTone[member.role]}>{roleLabel(member.role)}</Badge>
        )}
      </td>
      <td className="hidden px-3 py-3 text-fg-muted md:table-cell">{formatDate(member.joinedAt)}</td>
      <td className="py-3 pr-4 pl-3 text-right sm:pr-5">
        {manageable ? (
          <Button
            variant="ghost"
            size="sm"
            icon={<Trash />}
            onClick={onRemove}
            aria-label={`Remove ${member.name}`}
          >
            <span className="hidden sm:inline">Remove</span>
          </Button>
        ) : null}
      </td>
    </tr>
  );
}
