import { alertsRouter } from "./routers/alerts.ts";
import { apiTokensRouter } from "./routers/api-tokens.ts";
import { authRouter } from "./routers/auth.ts";
import { billingRouter } from "./routers/billing.ts";
import { budgetsRouter } from "./routers/budgets.ts";
import { gitCredentialsRouter } from "./routers/git-credentials.ts";
import { invitationsRouter } from "./routers/invitations.ts";
import { keysRouter } from "./routers/keys.ts";
import { membersRouter } from "./routers/members.ts";
import { organizationsRouter } from "./routers/organizations.ts";
import { platformRouter } from "./routers/platform.ts";
import { previewsRouter } from "./routers/previews.ts";
import { sessionsRouter } from "./routers/sessions.ts";
import { terminalsRouter } from "./routers/terminals.ts";
import { usageRouter } from "./routers/usage.ts";
import { workspaceRouter } from "./routers/workspace.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  auth: authRouter,
  organizations: organizationsRouter,
  members: membersRouter,
  invitations: invitationsRouter,
  apiTokens: apiTokensRouter,
  sessions: sessionsRouter,
  keys: keysRouter,
  gitCredentials: gitCredentialsRouter,
  billing: billingRouter,
  usage: usageRouter,
  budgets: budgetsRouter,
  platform: platformRouter,
  terminals: terminalsRouter,
  previews: previewsRouter,
  workspace: workspaceRouter,
  alerts: alertsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
