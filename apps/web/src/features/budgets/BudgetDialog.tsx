import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Field } from "../../components/ui/Field.tsx";
import { FormDialog } from "../../components/ui/FormDialog.tsx";
import { Input, Select } from "../../components/ui/Input.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { cn } from "../../lib/cn.ts";
import { describeError, type FieldErrors, firstError } from "../../lib/errors.ts";
import { usdInputValue } from "../../lib/money.ts";
import { type RouterOutputs, useTRPC } from "../../lib/trpc.ts";
import {
  type BudgetPeriod,
  type BudgetScope,
  coverageLabel,
  DEFAULT_THRESHOLDS,
  formatThresholds,
  PERIOD_OPTIONS,
  parseLimit,
  parseThresholds,
} from "./budget-math.ts";

export type Budget = RouterOutputs["budgets"]["list"][number];

const SCOPE_OPTIONS: { value: BudgetScope; label: string }[] = [
  { value: "organization", label: "The whole organisation" },
  { value: "member_default", label: "Every member (default)" },
  { value: "member", label: "One member" },
  { value: "api_token", label: "One API token" },
];

const SERVER_FIELDS = ["scope", "userId", "apiTokenId", "period", "limitMicroUsd", "hard", "alertPercents"];

/** Where the dialog opens: a new budget, or one to change (its subject stays). */
export type BudgetTarget = { mode: "add" } | { mode: "edit"; budget: Budget };

/** Adds a budget or changes one: one budget per subject, so saving an existing subject changes it. */
export function BudgetDialog({
  target,
  budgets,
  onClose,
}: {
  target: BudgetTarget | null;
  budgets: readonly Budget[];
  onClose: () => void;
}) {
  const editing = target?.mode === "edit" ? target.budget : null;
  return (
    <FormDialogBody
      // A fresh form (and fresh defaults) each time it opens on another budget.
      key={editing?.id ?? (target ? "add" : "closed")}
      open={target !== null}
      editing={editing}
      budgets={budgets}
      onClose={onClose}
    />
  );
}

function FormDialogBody({
  open,
  editing,
  budgets,
  onClose,
}: {
  open: boolean;
  editing: Budget | null;
  budgets: readonly Budget[];
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [scope, setScope] = useState<BudgetScope>(editing?.scope ?? "member");
  const [userId, setUserId] = useState(editing?.subject?.kind === "member" ? editing.subject.userId : "");
  const [apiTokenId, setApiTokenId] = useState(
    editing?.subject?.kind === "token" ? editing.subject.apiTokenId : "",
  );
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const members = useQuery({ ...trpc.members.list.queryOptions(), enabled: open });
  const tokens = useQuery({ ...trpc.budgets.tokens.queryOptions(), enabled: open });
  const save = useMutation(
    trpc.budgets.set.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.budgets.pathKey() });
        toast.show(editing ? "Budget changed." : "Budget added.");
        close();
      },
    }),
  );

  function close() {
    save.reset();
    setLocalErrors({});
    onClose();
  }

  const activeTokens = (tokens.data ?? []).map((token) => ({
    id: token.id,
    name: `${token.name} (${token.owner})`,
  }));
  const tokenOptions =
    editing?.subject?.kind === "token" && !activeTokens.some((t) => t.id === apiTokenId)
      ? [{ id: editing.subject.apiTokenId, name: editing.subject.name }, ...activeTokens]
      : activeTokens;
  const existing = editing
    ? null
    : budgets.find(
        (budget) =>
          budget.scope === scope &&
          (scope === "member"
            ? budget.subject?.kind === "member" && budget.subject.userId === userId
            : scope === "api_token"
              ? budget.subject?.kind === "token" && budget.subject.apiTokenId === apiTokenId
              : true),
      );

  function onSubmit(form: FormData) {
    const errors: FieldErrors = {};
    const limit = parseLimit(String(form.get("limit") ?? ""));
    if (!limit.ok) errors.limitMicroUsd = [limit.message];
    const thresholds = parseThresholds(String(form.get("thresholds") ?? ""));
    if (!thresholds.ok) errors.alertPercents = [thresholds.message];
    if (scope === "member" && !userId) errors.userId = ["Choose the member this budget is for."];
    if (scope === "api_token" && !apiTokenId)
      errors.apiTokenId = ["Choose the API token this budget is for."];
    setLocalErrors(errors);
    if (!limit.ok || !thresholds.ok || Object.keys(errors).length > 0) return;
    save.mutate({
      scope,
      ...(scope === "member" ? { userId } : {}),
      ...(scope === "api_token" ? { apiTokenId } : {}),
      period: String(form.get("period") ?? "month") as BudgetPeriod,
      limitMicroUsd: Number(limit.microUsd),
      hard: form.get("hard") !== "soft",
      alertPercents: thresholds.percents,
    });
  }

  const server = describeError(save.error, SERVER_FIELDS);
  const errors = { ...server.fieldErrors, ...localErrors };
  const subjectName = editing ? coverageLabel(editing.scope, editing.subject) : null;

  return (
    <FormDialog
      open={open}
      onClose={close}
      onSubmit={onSubmit}
      pending={save.isPending}
      message={server.message}
      title={editing ? `Edit budget: ${subjectName}` : "Add budget"}
      description="Spend at the prices used, whoever pays: platform credits or the organisation's own keys."
      submitLabel={editing ? "Save budget" : "Add budget"}
    >
      <Field
        label="Covers"
        error={firstError(errors, "scope")}
        hint={editing ? "To cover someone else, add another budget." : undefined}
      >
        <Select
          name="scope"
          value={scope}
          disabled={editing !== null}
          onChange={(event) => setScope(event.target.value as BudgetScope)}
          data-autofocus={editing ? undefined : true}
        >
          {SCOPE_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </Select>
      </Field>
      {scope === "member" ? (
        <Field
          label="Member"
          error={firstError(errors, "userId") ?? (members.isError ? "Couldn't load the members." : undefined)}
          hint="Their own budget replaces the members' default."
        >
          <Select
            name="userId"
            value={userId}
            disabled={editing !== null || members.isPending}
            onChange={(event) => setUserId(event.target.value)}
          >
            <option value="" disabled>
              {members.isPending ? "Loading members…" : "Choose a member"}
            </option>
            {editing?.subject?.kind === "member" && !members.data?.some((m) => m.userId === userId) ? (
              <option value={editing.subject.userId}>{editing.subject.name}</option>
            ) : null}
            {(members.data ?? []).map((member) => (
              <option key={member.userId} value={member.userId}>
                {member.name} ({member.email})
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
      {scope === "api_token" ? (
        <Field
          label="API token"
          error={
            firstError(errors, "apiTokenId") ?? (tokens.isError ? "Couldn't load the API tokens." : undefined)
          }
          hint="Covers the sessions programs start with it. Only your own tokens are listed."
        >
          <Select
            name="apiTokenId"
            value={apiTokenId}
            disabled={editing !== null || tokens.isPending}
            onChange={(event) => setApiTokenId(event.target.value)}
          >
            <option value="" disabled>
              {tokens.isPending
                ? "Loading API tokens…"
                : tokenOptions.length === 0
                  ? "You have no active API tokens"
                  : "Choose an API token"}
            </option>
            {tokenOptions.map((token) => (
              <option key={token.id} value={token.id}>
                {token.name}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
      {existing ? (
        <p className="text-[13px] text-fg-muted">
          {coverageLabel(existing.scope, existing.subject)} already has a budget: saving changes it.
        </p>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Period" error={firstError(errors, "period")}>
          <Select name="period" defaultValue={editing?.period ?? "month"}>
            {PERIOD_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Limit (USD)" error={firstError(errors, "limitMicroUsd")}>
          <Input
            name="limit"
            inputMode="decimal"
            autoComplete="off"
            placeholder="50"
            defaultValue={editing ? usdInputValue(editing.limitMicroUsd) : ""}
            data-autofocus={editing ? true : undefined}
          />
        </Field>
      </div>
      <fieldset className="space-y-2">
        <legend className="mb-1.5 text-[13px] font-medium text-fg">When it is reached</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          <Choice
            value="hard"
            defaultChecked={editing ? editing.hard : true}
            title="Hard"
            description="Model calls are refused until it resets."
          />
          <Choice
            value="soft"
            defaultChecked={editing ? !editing.hard : false}
            title="Soft"
            description="Only alerts; nothing is refused."
          />
        </div>
      </fieldset>
      <Field
        label="Alert thresholds (%)"
        hint="Percentages of the limit, separated by commas. Each crossing is recorded once a period."
        error={firstError(errors, "alertPercents")}
      >
        <Input
          name="thresholds"
          inputMode="numeric"
          autoComplete="off"
          defaultValue={formatThresholds(editing?.alertPercents ?? DEFAULT_THRESHOLDS)}
        />
      </Field>
    </FormDialog>
  );
}

/** A radio as a small card: the whole card is the label. */
function Choice({
  value,
  defaultChecked,
  title,
  description,
}: {
  value: string;
  defaultChecked: boolean;
  title: string;
  description: string;
}) {
  return (
    <label
      className={cn(
        "flex cursor-pointer items-start gap-2.5 rounded-lg border border-line px-3 py-2.5 text-[13px] transition-colors hover:bg-surface-hover",
        "has-checked:border-accent has-checked:bg-accent-soft/50 has-focus-visible:outline-2 has-focus-visible:outline-ring",
      )}
    >
      <input
        type="radio"
        name="hard"
        value={value}
        defaultChecked={defaultChecked}
        className="mt-0.5 accent-(--color-accent)"
      />
      <span>
        <span className="block font-medium text-fg">{title}</span>
        <span className="block text-fg-muted">{description}</span>
      </span>
    </label>
  );
}
