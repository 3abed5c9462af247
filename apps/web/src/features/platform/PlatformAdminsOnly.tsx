import { ShieldCheck } from "lucide-react";
import type { ReactNode } from "react";
import { Card } from "../../components/ui/Card.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { useCurrentUser } from "../auth/current-user.ts";

/**
 * The studio-wide pages, for its platform admins. Anyone else who opens one by its address reads
 * why it is empty; the server refuses them either way.
 */
export function PlatformAdminsOnly({ what, children }: { what: string; children: ReactNode }) {
  const { user } = useCurrentUser();
  if (user.platformAdmin) return children;
  return (
    <Card>
      <EmptyState
        icon={ShieldCheck}
        title="For platform admins"
        description={`Only the studio's platform admins ${what}.`}
      />
    </Card>
  );
}
