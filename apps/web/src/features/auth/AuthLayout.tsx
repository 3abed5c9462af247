import type { ReactNode } from "react";
import { Link } from "react-router";
import { ThemeToggle } from "../../app/shell/ThemeToggle.tsx";
import { Logo } from "../../components/ui/Logo.tsx";

/** The quiet frame around sign-in, sign-up and invitation pages. */
export function AuthLayout({
  title,
  subtitle,
  children,
  footer,
}: {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <div className="relative flex min-h-dvh flex-col overflow-hidden">
      <div
        aria-hidden="true"
        className="pointer-events-none absolute inset-x-0 top-0 h-[420px] bg-[radial-gradient(60%_100%_at_50%_0%,var(--accent-soft),transparent)] opacity-80"
      />
      <header className="relative flex items-center justify-between px-5 py-4 sm:px-8">
        <Link to="/" className="rounded-md">
          <Logo />
        </Link>
        <ThemeToggle compact />
      </header>
      <main className="relative flex flex-1 items-start justify-center px-4 pt-8 pb-16 sm:pt-16">
        <div className="w-full max-w-[400px]">
          <div className="mb-6 text-center">
            <h1 className="text-2xl font-semibold tracking-tight text-fg">{title}</h1>
            {subtitle ? <p className="mt-2 text-sm text-fg-muted">{subtitle}</p> : null}
          </div>
          <div className="rounded-2xl border border-line bg-surface p-6 shadow-pop sm:p-7">{children}</div>
          {footer ? <div className="mt-6 text-center text-[13px] text-fg-muted">{footer}</div> : null}
        </div>
      </main>
    </div>
  );
}
