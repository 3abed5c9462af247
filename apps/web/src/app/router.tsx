import { lazy, Suspense } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { PageSpinner } from "../components/ui/Spinner.tsx";
import { ApiTokensPage } from "../features/api-tokens/ApiTokensPage.tsx";
import { SignInPage } from "../features/auth/SignInPage.tsx";
import { SignUpPage } from "../features/auth/SignUpPage.tsx";
import { InvitationPage } from "../features/invitations/InvitationPage.tsx";
import { MembersPage } from "../features/members/MembersPage.tsx";
import { OrganizationSettingsPage } from "../features/organizations/OrganizationSettingsPage.tsx";
import { ProfilePage } from "../features/settings/ProfilePage.tsx";
import { SettingsLayout } from "../features/settings/SettingsLayout.tsx";
import { NewSessionPage } from "../features/studio/new-session/NewSessionPage.tsx";
import { StudioLayout } from "../features/studio/StudioLayout.tsx";
import { NotFoundPage } from "./NotFoundPage.tsx";
import { RequireSignIn } from "./shell/RequireSignIn.tsx";

// Keys, git hosts, billing and budgets are settings owners and admins visit now and then: their own chunks.
const KeysPage = lazy(() =>
  import("../features/keys/KeysPage.tsx").then((module) => ({ default: module.KeysPage })),
);
const GitHostsPage = lazy(() =>
  import("../features/git-hosts/GitHostsPage.tsx").then((module) => ({ default: module.GitHostsPage })),
);
const BillingPage = lazy(() =>
  import("../features/billing/BillingPage.tsx").then((module) => ({ default: module.BillingPage })),
);

const BudgetsPage = lazy(() =>
  import("../features/budgets/BudgetsPage.tsx").then((module) => ({ default: module.BudgetsPage })),
);

// Only platform admins ever open these.
const PlatformOrganizationsPage = lazy(() =>
  import("../features/platform/PlatformOrganizationsPage.tsx").then((module) => ({
    default: module.PlatformOrganizationsPage,
  })),
);
const PlatformPricesPage = lazy(() =>
  import("../features/platform/PlatformPricesPage.tsx").then((module) => ({
    default: module.PlatformPricesPage,
  })),
);

// The usage ledger carries its chart, tables and the billing cards: its own chunk too.
const UsagePage = lazy(() =>
  import("../features/usage/UsagePage.tsx").then((module) => ({ default: module.UsagePage })),
);

// The live session view carries the markdown renderer, highlighter and virtualiser: its own chunk.
const SessionPage = lazy(() =>
  import("../features/studio/session/SessionPage.tsx").then((module) => ({ default: module.SessionPage })),
);

export function AppRoutes() {
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="/sign-up" element={<SignUpPage />} />
        <Route path="/invite/:token" element={<InvitationPage />} />
        <Route element={<RequireSignIn />}>
          <Route element={<StudioLayout />}>
            <Route index element={<NewSessionPage />} />
            <Route
              path="sessions/:sessionId"
              element={
                <Suspense fallback={<PageSpinner label="Loading session" />}>
                  <SessionPage />
                </Suspense>
              }
            />
          </Route>
          <Route
            path="usage"
            element={
              <Suspense fallback={<PageSpinner label="Loading usage" />}>
                <UsagePage />
              </Suspense>
            }
          />
          <Route path="settings" element={<SettingsLayout />}>
            <Route index element={<Navigate to="profile" replace />} />
            <Route path="profile" element={<ProfilePage />} />
            <Route path="organization" element={<OrganizationSettingsPage />} />
            <Route path="members" element={<MembersPage />} />
            <Route
              path="keys"
              element={
                <Suspense fallback={<PageSpinner label="Loading provider keys" />}>
                  <KeysPage />
                </Suspense>
              }
            />
            <Route
              path="git-hosts"
              element={
                <Suspense fallback={<PageSpinner label="Loading git hosts" />}>
                  <GitHostsPage />
                </Suspense>
              }
            />
            <Route
              path="billing"
              element={
                <Suspense fallback={<PageSpinner label="Loading credits and prices" />}>
                  <BillingPage />
                </Suspense>
              }
            />
            <Route
              path="budgets"
              element={
                <Suspense fallback={<PageSpinner label="Loading budgets and limits" />}>
                  <BudgetsPage />
                </Suspense>
              }
            />
            <Route path="api-tokens" element={<ApiTokensPage />} />
            <Route
              path="platform"
              element={
                <Suspense fallback={<PageSpinner label="Loading organisations" />}>
                  <PlatformOrganizationsPage />
                </Suspense>
              }
            />
            <Route
              path="list-prices"
              element={
                <Suspense fallback={<PageSpinner label="Loading list prices" />}>
                  <PlatformPricesPage />
                </Suspense>
              }
            />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
