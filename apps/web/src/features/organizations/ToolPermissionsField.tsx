import type { ToolPolicy } from "@studio/models/lists";
import { Hand, Zap } from "lucide-react";
import { cn } from "../../lib/cn.ts";

const options = [
  {
    value: "ask",
    title: "Ask first",
    description: "The agent asks before it runs a command or changes a file.",
    Icon: Hand,
  },
  {
    value: "allow",
    title: "Allow automatically",
    description: "Tools run without asking. Best for trusted, sandboxed work.",
    Icon: Zap,
  },
] as const;

export function ToolPermissionsField({
  defaultValue,
  error,
}: {
  defaultValue: ToolPolicy;
  error?: string | undefined;
}) {
  return (
    <fieldset className="space-y-2" aria-describedby={error ? "tool-permissions-error" : undefined}>
      <legend className="mb-1.5 text-[13px] font-medium text-fg">Tool permissions</legend>
      <div className="grid gap-2 sm:grid-cols-2">
        {options.map(({ value, title, description, Icon }) => (
          <label
            key={value}
            className={cn(
              "flex cursor-pointer gap-3 rounded-lg border border-line bg-surface p-3 transition-colors hover:border-line-strong",
              "has-checked:border-accent has-checked:bg-accent-soft/50 has-focus-visible:outline-2 has-focus-visible:outline-ring",
              "has-disabled:cursor-not-allowed has-disabled:opacity-70",
            )}
          >
            <input
              type="radio"
              name="toolPermissions"
              value={value}
              defaultChecked={defaultValue === value}
              className="mt-0.5 accent-(--accent)"
            />
            <span className="space-y-0.5">
              <span className="flex items-center gap-1.5 text-[13px] font-medium text-fg">
                <Icon className="size-3.5 text-fg-muted" aria-hidden="true" />
                {title}
              </span>
              <span className="block text-[13px] text-fg-muted">{description}</span>
            </span>
          </label>
        ))}
      </div>
      {error ? (
        <p id="tool-permissions-error" className="text-[13px] text-danger-soft-fg">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
