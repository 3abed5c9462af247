import { isManager } from "../../lib/roles.ts";
import { useSession } from "../auth/session.tsx";
import { InvitationsCard } from "../invitations/InvitationsCard.tsx";
import { LeaveOrganizationCard } from "./LeaveOrganizationCard.tsx";
import { MembersCard } from "./MembersCard.tsx";

export function MembersPage() {
  const { activeOrganization } = useSession();
  const manager = activeOrganization ? isManager(activeOrganization.role) : false;
  return (
    <div className="space-y-6">
      {manager ? <InvitationsCard /> : null}
      <MembersCard />
      <LeaveOrganizationCard />
    </div>
  );
}
