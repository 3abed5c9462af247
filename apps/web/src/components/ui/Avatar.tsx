import { cn } from "../../lib/cn.ts";
import { initials } from "../../lib/format.ts";

/** Initials on a colour derived from the name, so the same person always looks the same. */
export function Avatar({
  name,
  square = false,
  className,
}: {
  name: string;
  square?: boolean;
  className?: string;
}) {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const hue = hash % 360;
  return (
    <span
      aria-hidden="true"
      style={{ backgroundColor: `oklch(0.62 0.13 ${hue})` }}
      className={cn(
        "inline-flex size-8 shrink-0 items-center justify-center text-xs font-semibold text-white",
        square ? "rounded-lg" : "rounded-full",
        className,
      )}
    >
      {initials(name)}
    </span>
  );
}
