import { useQuery } from "@tanstack/react-query";
import { Bot, FolderGit2, Hand, Play, Timer, Zap } from "lucide-react";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { Button } from "../../components/ui/Button.tsx";
import { Card } from "../../components/ui/Card.tsx";
import { Skeleton } from "../../components/ui/Skeleton.tsx";
import { useTRPC } from "../../lib/trpc.ts";

function Setting({ icon, label, value }: { icon: ReactNode; label: string; value: ReactNode }) {
  return (
    <li className="flex min-w-0 items-center gap-2 rounded-lg border border-line bg-surface px-2.5 py-1.5 text-[13px] [&>svg]:size-3.5 [&>svg]:shrink-0 [&>svg]:text-fg-subtle">
      {icon}
      <span className="text-fg-muted">{label}</span>
      <span className="truncate font-medium text-fg">{value}</span>
    </li>
  );
}

/**
 * Where a session is configured. Repository and model pickers arrive with sessions; the organisation's
 * defaults below are already real and editable in settings.
 */
export function SessionComposer() {
  const trpc = useTRPC();
  const organization = useQuery(trpc.organizations.current.queryOptions());
  const settings = organization.data;

  return (
    <Card aria-labelledby="composer-heading" className="overflow-hidden">
      <h2 id="composer-heading" className="sr-only">
        New session
      </h2>
      <div className="p-4 sm:p-5">
        <label htmlFor="session-prompt" className="text-[13px] font-medium text-fg">
          What should the agent work on?
        </label>
        <textarea
          id="session-prompt"
          disabled
          rows={3}
          placeholder="e.g. Add rate limiting to the public API and cover it with tests"
          className="mt-2 w-full resize-none rounded-lg border border-dashed border-line-strong bg-surface-muted/60 px-3 py-2.5 text-sm text-fg placeholder:text-fg-subtle disabled:cursor-not-allowed"
        />
        <ul className="mt-3 flex flex-wrap gap-2" aria-label="Session settings">
          <Setting
            icon={<FolderGit2 />}
            label="Repository"
            value={<span className="text-fg-subtle">None selected</span>}
          />
          <Setting icon={<Bot />} label="Model" value={<span className="text-fg-subtle">Default</span>} />
          {settings ? (
            <>
              <Setting
                icon={settings.toolPermissions === "ask" ? <Hand /> : <Zap />}
                label="Tools"
                value={settings.toolPermissions === "ask" ? "Ask first" : "Allowed"}
              />
              <Setting icon={<Timer />} label="Idle timeout" value={`${settings.idleTimeoutMinutes} min`} />
            </>
          ) : organization.isPending ? (
            <li>
              <Skeleton className="h-8 w-48" />
            </li>
          ) : null}
        </ul>
      </div>
      <div className="flex flex-wrap items-center justify-between gap-3 border-t border-line bg-surface-muted/60 px-4 py-3 sm:px-5">
        <Link to="/settings/organization" className="text-[13px] text-fg-muted hover:text-fg hover:underline">
          Session defaults
        </Link>
        <Button icon={<Play />} disabled>
          Start session
        </Button>
      </div>
    </Card>
  );
}
