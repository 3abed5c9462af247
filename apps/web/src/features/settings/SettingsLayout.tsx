import { NavLink, Outlet } from "react-router";
import { PageHeader } from "../../components/ui/PageHeader.tsx";
import { cn } from "../../lib/cn.ts";
import { useCurrentUser } from "../auth/current-user.ts";

const tabs = [
  { to: "/settings/profile", label: "Profile" },
  { to: "/settings/organization", label: "Organisation" },
  { to: "/settings/members", label: "Members" },
  { to: "/settings/keys", label: "Provider keys" },
  { to: "/settings/git-hosts", label: "Git hosts" },
  { to: "/settings/billing", label: "Credits & prices" },
  { to: "/settings/budgets", label: "Budgets & limits" },
  { to: "/settings/api-tokens", label: "API tokens" },
];

/** The studio as a whole, for its platform admins only. */
const platformTabs = [
  { to: "/settings/platform", label: "All organisations" },
  { to: "/settings/list-prices", label: "List prices" },
];

export function SettingsLayout() {
  const { user } = useCurrentUser();
  const shown = user.platformAdmin ? [...tabs, ...platformTabs] : tabs;
  return (
    <div className="space-y-6">
      <PageHeader
        title="Settings"
        description="Your account, your organisation, what pays for models and how programs reach Studio."
      />
      <nav aria-label="Settings" className="-mx-4 overflow-x-auto border-b border-line px-4 sm:mx-0 sm:px-0">
        <ul className="flex gap-1">
          {shown.map((tab) => (
            <li key={tab.to}>
              <NavLink
                to={tab.to}
                className={({ isActive }) =>
                  cn(
                    "relative -mb-px inline-flex h-10 items-center border-b-2 px-3 text-[13px] font-medium whitespace-nowrap transition-colors",
                    isActive ? "border-accent text-fg" : "border-transparent text-fg-muted hover:text-fg",
                  )
                }
              >
                {tab.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </div>
  );
}
