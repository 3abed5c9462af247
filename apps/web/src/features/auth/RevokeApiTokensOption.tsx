import { useId } from "react";

/**
 * The offer, beside "sign out everywhere" and a password change, to end programs' access too: a
 * leaked password or a stolen session may have been used to mint API tokens.
 */
export function RevokeApiTokensOption({
  checked,
  onChange,
  disabled,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="flex items-start gap-2.5 text-[13px]">
      <input
        id={id}
        type="checkbox"
        name="revokeApiTokens"
        checked={checked}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
        aria-describedby={`${id}-hint`}
        className="mt-0.5 size-3.5 shrink-0 accent-accent"
      />
      <div>
        <label htmlFor={id} className="font-medium text-fg">
          Also revoke my API tokens
        </label>
        <p id={`${id}-hint`} className="text-fg-muted">
          In every organisation. Programs using them stop working until you create new ones.
        </p>
      </div>
    </div>
  );
}
