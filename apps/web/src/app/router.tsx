import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { ApiTokensPage } from "../features/api-tokens/ApiTokensPage.tsx";
import { SignInPage } from "../features/auth/SignInPage.tsx";
import { SignUpPage } from "../features/auth/SignUpPage.tsx";
import { InvitationPage } from "../features/invitations/InvitationPage.tsx";
import { MembersPage } from "../features/members/MembersPage.tsx";
import { OrganizationSettingsPage } from "../features/organizations/OrganizationSettingsPage.tsx";
import { ProfilePage } from "../features/settings/ProfilePage.tsx";
import { SettingsLayout } from "../features/settings/SettingsLayout.tsx";
import { StudioPage } from "../features/studio/StudioPage.tsx";
import { NotFoundPage } from "./NotFoundPage.tsx";
import { RequireSession } from "./shell/RequireSession.tsx";

export function AppRoutes() {
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="/sign-up" element={<SignUpPage />} />
        <Route path="/invite/:token" element={<InvitationPage />} />
        <Route element={<RequireSession />}>
          <Route index element={<StudioPage />} />
          <Route path="settings" element={<SettingsLayout />}>
            <Route index element={<Navigate to="profile" replace />} />
            <Route path="profile" element={<ProfilePage />} />
            <Route path="organization" element={<OrganizationSettingsPage />} />
            <Route path="members" element={<MembersPage />} />
            <Route path="api-tokens" element={<ApiTokensPage />} />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
