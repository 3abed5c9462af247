import { Eye, GitPullRequestArrow, MessageSquareText, TerminalSquare } from "lucide-react";
import { Link } from "react-router";
import { Card } from "../../../components/ui/Card.tsx";
import { useCurrentUser } from "../../auth/current-user.ts";
import { SessionsDrawerButton } from "../sessions-list/SessionsDrawer.tsx";
import { NewSessionForm } from "./NewSessionForm.tsx";

const steps = [
  {
    Icon: MessageSquareText,
    title: "Describe the change",
    body: "Start from a repository, your own files or nothing, and say in plain words what you want: a bug to fix, a feature to add.",
  },
  {
    Icon: Eye,
    title: "Watch it work",
    body: "An agent reads, edits and runs code in an isolated sandbox. You see every command as it happens.",
  },
  {
    Icon: GitPullRequestArrow,
    title: "Review and keep",
    body: "Read the diff, ask for another pass, then download it, take a patch, or commit and push a branch.",
  },
];

function greeting(now: Date) {
  const hour = now.getHours();
  if (hour < 5) return "Working late";
  if (hour < 12) return "Good morning";
  if (hour < 18) return "Good afternoon";
  return "Good evening";
}

export function NewSessionPage() {
  const { user, activeOrganization } = useCurrentUser();
  const firstName = user.name.split(/\s+/)[0] ?? user.name;

  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto w-full max-w-4xl space-y-10 px-4 py-6 sm:px-8 sm:py-10">
        <div className="-mb-6 flex justify-end xl:hidden">
          <SessionsDrawerButton withLabel />
        </div>
        <header className="space-y-2">
          <p className="text-[13px] font-medium text-accent-soft-fg">
            {greeting(new Date())}, {firstName}
          </p>
          <h1 className="text-2xl font-semibold tracking-tight text-fg sm:text-3xl">Studio</h1>
          <p className="max-w-2xl text-sm text-fg-muted sm:text-[15px]">
            Pair with an AI agent on real code. Each session gets its own sandbox in{" "}
            <span className="font-medium text-fg">{activeOrganization?.name ?? "your organisation"}</span>,
            and follows the rules your organisation sets for tools and idle time.
          </p>
        </header>

        <NewSessionForm />

        <section aria-labelledby="how-heading" className="space-y-4">
          <h2 id="how-heading" className="text-[13px] font-semibold tracking-wide text-fg-muted uppercase">
            How a session works
          </h2>
          <ol className="grid gap-3 md:grid-cols-3">
            {steps.map(({ Icon, title, body }, index) => (
              <li key={title}>
                <Card className="h-full p-4">
                  <div className="mb-3 flex items-center gap-2.5">
                    <span className="flex size-8 items-center justify-center rounded-lg bg-accent-soft text-accent-soft-fg">
                      <Icon className="size-4" aria-hidden="true" />
                    </span>
                    <span className="text-xs font-medium text-fg-muted">Step {index + 1}</span>
                  </div>
                  <h3 className="text-sm font-semibold text-fg">{title}</h3>
                  <p className="mt-1 text-[13px] leading-relaxed text-fg-muted">{body}</p>
                </Card>
              </li>
            ))}
          </ol>
        </section>

        <Card className="flex flex-col gap-4 p-5 sm:flex-row sm:items-center">
          <span className="flex size-10 shrink-0 items-center justify-center rounded-xl border border-line bg-surface-muted text-fg-muted">
            <TerminalSquare className="size-5" aria-hidden="true" />
          </span>
          <div className="min-w-0 flex-1 space-y-1">
            <h2 className="text-sm font-semibold text-fg">Drive Studio from code</h2>
            <p className="text-[13px] text-fg-muted">
              Everything here is one typed API. Create a personal token and call it with{" "}
              <code className="rounded bg-surface-hover px-1 py-0.5 font-mono text-xs">
                createStudioClient
              </code>
              .
            </p>
          </div>
          <Link
            to="/settings/api-tokens"
            className="text-[13px] font-medium text-accent-soft-fg hover:underline"
          >
            Manage API tokens
          </Link>
        </Card>
      </div>
    </div>
  );
}
