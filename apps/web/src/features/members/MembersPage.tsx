import { isManager } from "../../lib/roles.ts";
import { useCurrentUser } from "../auth/current-user.ts";
import { InvitationsCard } from "../invitations/InvitationsCard.tsx";
import { LeaveOrganizationCard } from "./LeaveOrganizationCard.tsx";
import { MembersCard } from "./MembersCard.tsx";

export function MembersPage() {
  const { activeOrganization } = useCurrentUser();
  const manager = activeOrganization ? isManager(activeOrganization.role) : false;
  return (
    <div className="space-y-6">
      {manager ? <InvitationsCard /> : null}
      <MembersCard />
      <LeaveOrganizationCard />
    </div>
  );
}
