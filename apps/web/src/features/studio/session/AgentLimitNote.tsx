import { Info } from "lucide-react";
import { cn } from "../../../lib/cn.ts";
import { type AgentFeature, agentShortcoming, type Catalog, findAgent } from "../config/model-choice.ts";

/**
 * Where a studio feature comes into play, a short line saying the session's agent lacks it (from its
 * profile's `supports`), rather than letting the person expect it. Nothing for an agent that has it.
 */
export function AgentLimitNote({
  catalog,
  agentId,
  feature,
  className,
}: {
  catalog: Catalog | undefined;
  agentId: string;
  feature: AgentFeature;
  className?: string;
}) {
  const agent = catalog ? findAgent(catalog, agentId) : undefined;
  const text = agent ? agentShortcoming(agent, feature) : null;
  if (!text) return null;
  return (
    <p
      className={cn("agent-limit flex items-start gap-1.5 text-xs text-fg-muted", className)}
      data-feature={feature}
    >
      <Info className="mt-px size-3.5 shrink-0" aria-hidden="true" />
      <span>{text}</span>
    </p>
  );
}
