import { LogOut, Monitor, MonitorSmartphone, Moon, Sun, UserRound } from "lucide-react";
import { useState } from "react";
import { useNavigate } from "react-router";
import { Avatar } from "../../components/ui/Avatar.tsx";
import { Menu, MenuItem, MenuLabel, MenuSeparator } from "../../components/ui/Menu.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { useCurrentUser } from "../../features/auth/current-user.ts";
import { SignOutEverywhereDialog } from "../../features/auth/SignOutEverywhereDialog.tsx";
import { useSignOut } from "../../features/auth/use-sign-out.ts";
import { describeError } from "../../lib/errors.ts";
import { type ThemePreference, useTheme } from "../theme.tsx";

const themes: Array<{ value: ThemePreference; label: string; Icon: typeof Sun }> = [
  { value: "light", label: "Light theme", Icon: Sun },
  { value: "dark", label: "Dark theme", Icon: Moon },
  { value: "system", label: "System theme", Icon: Monitor },
];

export function UserMenu() {
  const { user } = useCurrentUser();
  const theme = useTheme();
  const navigate = useNavigate();
  const toast = useToast();
  const { signOut } = useSignOut();
  const [confirmEverywhere, setConfirmEverywhere] = useState(false);

  return (
    <>
      <Menu
        menuLabel="Account"
        side="top"
        triggerClassName="flex w-full items-center gap-2.5 rounded-lg p-1.5 text-left transition-colors hover:bg-surface-hover aria-expanded:bg-surface-hover"
        menuClassName="w-(--radix-dropdown-menu-trigger-width) min-w-60"
        trigger={
          <>
            <Avatar name={user.name} />
            <span className="min-w-0 flex-1">
              <span className="sr-only">Account: </span>
              <span className="block truncate text-[13px] font-medium text-fg">{user.name}</span>
              <span className="block truncate text-xs text-fg-muted">{user.email}</span>
            </span>
          </>
        }
      >
        <div className="px-2.5 py-2">
          <p className="truncate text-[13px] font-medium text-fg">{user.name}</p>
          <p className="truncate text-xs text-fg-muted">{user.email}</p>
        </div>
        <MenuSeparator />
        <MenuItem icon={<UserRound />} onSelect={() => navigate("/settings/profile")}>
          Profile settings
        </MenuItem>
        <MenuSeparator />
        <MenuLabel>Theme</MenuLabel>
        {themes.map(({ value, label, Icon }) => (
          <MenuItem
            key={value}
            icon={<Icon />}
            checked={theme.preference === value}
            onSelect={() => theme.setPreference(value)}
          >
            {label}
          </MenuItem>
        ))}
        <MenuSeparator />
        <MenuItem
          icon={<LogOut />}
          onSelect={() =>
            signOut.mutate(undefined, {
              onError: (error) => toast.show(describeError(error).message ?? "Couldn't sign out.", "danger"),
            })
          }
        >
          Sign out
        </MenuItem>
        <MenuItem icon={<MonitorSmartphone />} onSelect={() => setConfirmEverywhere(true)}>
          Sign out of all devices
        </MenuItem>
      </Menu>
      <SignOutEverywhereDialog open={confirmEverywhere} onClose={() => setConfirmEverywhere(false)} />
    </>
  );
}
