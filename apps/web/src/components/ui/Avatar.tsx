import { cn } from "../../lib/cn.ts";
import { initials } from "../../lib/format.ts";

const sizes = {
  sm: "size-6 text-[10px]",
  md: "size-8 text-xs",
  lg: "size-10 text-sm",
};

export interface AvatarProps {
  name: string;
  /** Organisations are square, people round. */
  square?: boolean;
  size?: keyof typeof sizes;
}

/** Initials on a colour derived from the name, so the same person always looks the same. */
export function Avatar({ name, square = false, size = "md" }: AvatarProps) {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const hue = hash % 360;
  return (
    <span
      aria-hidden="true"
      style={{ backgroundColor: `oklch(0.5 0.12 ${hue})` }}
      className={cn(
        "inline-flex shrink-0 items-center justify-center font-semibold text-white",
        sizes[size],
        square ? (size === "sm" ? "rounded-md" : "rounded-lg") : "rounded-full",
      )}
    >
      {initials(name)}
    </span>
  );
}
