import { Monitor, Moon, Sun } from "lucide-react";
import { useId } from "react";
import { cn } from "../../lib/cn.ts";
import { type ThemePreference, useTheme } from "../theme.tsx";

const options: Array<{ value: ThemePreference; label: string; Icon: typeof Sun }> = [
  { value: "light", label: "Light", Icon: Sun },
  { value: "dark", label: "Dark", Icon: Moon },
  { value: "system", label: "System", Icon: Monitor },
];

/** Light / dark / follow the system, as real radio buttons so arrow keys and screen readers just work. */
export function ThemeToggle({ compact = false }: { compact?: boolean }) {
  const { preference, setPreference } = useTheme();
  const name = useId();
  return (
    <fieldset className="inline-flex items-center gap-0.5 rounded-lg border border-line bg-surface-muted p-0.5">
      <legend className="sr-only">Theme</legend>
      {options.map(({ value, label, Icon }) => (
        <label
          key={value}
          title={label}
          className={cn(
            "flex cursor-pointer items-center gap-1.5 rounded-md text-xs font-medium text-fg-muted transition-colors hover:text-fg",
            "has-checked:bg-surface has-checked:text-fg has-checked:shadow-soft",
            "has-focus-visible:outline-2 has-focus-visible:outline-ring",
            compact ? "p-1.5" : "px-2 py-1",
          )}
        >
          <input
            type="radio"
            name={name}
            value={value}
            checked={preference === value}
            onChange={() => setPreference(value)}
            className="sr-only"
            aria-label={`${label} theme`}
          />
          <Icon className="size-3.5" aria-hidden="true" />
          {compact ? null : <span aria-hidden="true">{label}</span>}
        </label>
      ))}
    </fieldset>
  );
}
