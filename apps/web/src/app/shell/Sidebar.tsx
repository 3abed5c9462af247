import { ChartColumnStacked, Settings, SquareTerminal } from "lucide-react";
import { NavLink } from "react-router";
import { Logo } from "../../components/ui/Logo.tsx";
import { OrganizationSwitcher } from "../../features/organizations/OrganizationSwitcher.tsx";
import { cn } from "../../lib/cn.ts";
import { UserMenu } from "./UserMenu.tsx";

const links = [
  { to: "/", label: "Studio", Icon: SquareTerminal, end: true },
  { to: "/usage", label: "Usage", Icon: ChartColumnStacked, end: false },
  { to: "/settings", label: "Settings", Icon: Settings, end: false },
];

/** Organisation, navigation and account: the same column on desktop and in the mobile drawer. */
export function SidebarContent({ onNavigate }: { onNavigate?: () => void }) {
  return (
    <div className="flex h-full flex-col gap-4 p-3">
      <div className="hidden px-1.5 pt-1 lg:block">
        <Logo />
      </div>
      <OrganizationSwitcher />
      <nav aria-label="Main" className="flex flex-col gap-0.5">
        {links.map(({ to, label, Icon, end }) => (
          <NavLink
            key={to}
            to={to}
            end={end}
            onClick={onNavigate}
            className={({ isActive }) =>
              cn(
                "flex items-center gap-2.5 rounded-lg px-2.5 py-2 text-[13px] font-medium transition-colors",
                isActive ? "bg-surface-hover text-fg" : "text-fg-muted hover:bg-surface-hover hover:text-fg",
              )
            }
          >
            <Icon className="size-4" aria-hidden="true" />
            {label}
          </NavLink>
        ))}
      </nav>
      <div className="mt-auto">
        <UserMenu />
      </div>
    </div>
  );
}
