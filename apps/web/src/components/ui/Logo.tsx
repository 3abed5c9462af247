import { cn } from "../../lib/cn.ts";

export function LogoMark({ large = false }: { large?: boolean }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" className={cn("shrink-0", large ? "size-10" : "size-7")}>
      <rect width="32" height="32" rx="8" className="fill-accent" />
      <path
        d="M10 11.5 15 16l-5 4.5M17 21h6"
        fill="none"
        stroke="white"
        strokeWidth="2.4"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function Logo({ className }: { className?: string }) {
  return (
    <span
      className={cn(
        "inline-flex items-center gap-2 text-[15px] font-semibold tracking-tight text-fg",
        className,
      )}
    >
      <LogoMark />
      Studio
    </span>
  );
}
