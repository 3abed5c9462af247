import { useMutation } from "@tanstack/react-query";
import { MessageCircleQuestionMark } from "lucide-react";
import { type FormEvent, memo, useId, useState } from "react";
import { Button } from "../../../../../components/ui/Button.tsx";
import { cn } from "../../../../../lib/cn.ts";
import { describeError } from "../../../../../lib/errors.ts";
import { useTRPC } from "../../../../../lib/trpc.ts";
import type { Question, QuestionItem } from "../chat-types.ts";
import { useChatContext } from "./chat-context.ts";

interface Draft {
  chosen: string[];
  other: string;
}

function QuestionField({
  question,
  draft,
  onChange,
  disabled,
}: {
  question: Question;
  draft: Draft;
  onChange: (draft: Draft) => void;
  disabled: boolean;
}) {
  const name = useId();
  const toggle = (label: string, checked: boolean) => {
    const chosen = question.multiple
      ? checked
        ? [...draft.chosen, label]
        : draft.chosen.filter((value) => value !== label)
      : [label];
    onChange({ ...draft, chosen });
  };
  return (
    <fieldset className="space-y-2" disabled={disabled}>
      <legend className="text-[13px] font-medium text-fg">
        {question.header ? <span className="mr-1.5 text-fg-muted">{question.header}:</span> : null}
        {question.question}
      </legend>
      <div className="grid gap-1.5 sm:grid-cols-2">
        {question.options.map((option) => (
          <label
            key={option.label}
            className="flex cursor-pointer items-start gap-2 rounded-lg border border-line px-2.5 py-2 text-[13px] hover:bg-surface-hover has-checked:border-accent has-checked:bg-accent-soft/60"
          >
            <input
              type={question.multiple ? "checkbox" : "radio"}
              name={name}
              className="mt-0.5 accent-[var(--accent)]"
              checked={draft.chosen.includes(option.label)}
              onChange={(event) => toggle(option.label, event.target.checked)}
            />
            <span>
              <span className="font-medium text-fg">{option.label}</span>
              {option.description ? (
                <span className="block text-xs text-fg-muted">{option.description}</span>
              ) : null}
            </span>
          </label>
        ))}
      </div>
      <input
        type="text"
        aria-label={`Another answer to: ${question.question}`}
        placeholder="Or type your own answer"
        value={draft.other}
        onChange={(event) => onChange({ ...draft, other: event.target.value })}
        className="h-8 w-full rounded-lg border border-line bg-surface px-2.5 text-[13px] text-fg placeholder:text-fg-subtle focus-visible:border-accent focus-visible:outline-none"
      />
    </fieldset>
  );
}

const answerOf = (draft: Draft) => [...draft.chosen, ...(draft.other.trim() ? [draft.other.trim()] : [])];

/** The agent asks the person something; the card takes the answer, then shows it. */
export const QuestionCard = memo(function QuestionCard({ item }: { item: QuestionItem }) {
  const trpc = useTRPC();
  const { sessionId, live, userId } = useChatContext();
  const answer = useMutation(trpc.sessions.answerQuestion.mutationOptions());
  const [drafts, setDrafts] = useState<Draft[]>(() => item.questions.map(() => ({ chosen: [], other: "" })));
  const waiting = item.answers === undefined;
  const complete = drafts.every((draft) => answerOf(draft).length > 0);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!complete) return;
    answer.mutate({ sessionId, interactionId: item.interactionId, answers: drafts.map(answerOf) });
  };
  return (
    <article
      aria-label="Question from the agent"
      data-state={waiting ? "waiting" : "answered"}
      className={cn(
        "question-card rounded-xl border bg-surface shadow-soft",
        waiting ? "border-accent/40 ring-2 ring-accent/10" : "border-line",
      )}
    >
      <header className="flex items-center gap-2.5 px-3.5 pt-3">
        <span className="flex size-7 items-center justify-center rounded-lg bg-accent-soft text-accent-soft-fg">
          <MessageCircleQuestionMark className="size-4" aria-hidden="true" />
        </span>
        <h3 className="text-[13px] font-semibold text-fg">
          {waiting ? "The agent has a question" : "The agent asked"}
        </h3>
      </header>
      {waiting && live ? (
        <form onSubmit={submit} className="space-y-4 px-3.5 pt-3 pb-3.5">
          {item.questions.map((question, index) => (
            <QuestionField
              key={`${index}-${question.question}`}
              question={question}
              draft={drafts[index] ?? { chosen: [], other: "" }}
              disabled={answer.isPending || answer.isSuccess}
              onChange={(draft) => setDrafts((list) => list.map((old, i) => (i === index ? draft : old)))}
            />
          ))}
          <div className="flex flex-wrap gap-2">
            <Button
              type="submit"
              size="sm"
              disabled={!complete || answer.isSuccess}
              pending={answer.isPending && answer.variables?.answers !== null}
            >
              Send answer
            </Button>
            <Button
              size="sm"
              variant="ghost"
              disabled={answer.isPending || answer.isSuccess}
              onClick={() => answer.mutate({ sessionId, interactionId: item.interactionId, answers: null })}
            >
              Dismiss
            </Button>
          </div>
          {answer.error ? (
            <p role="alert" className="text-[13px] text-danger-soft-fg">
              {describeError(answer.error).message}
            </p>
          ) : null}
        </form>
      ) : (
        <dl className="space-y-2 px-3.5 pt-2 pb-3.5 text-[13px]">
          {item.questions.map((question, index) => (
            <div key={`${index}-${question.question}`}>
              <dt className="text-fg-muted">{question.question}</dt>
              <dd className="question-answer font-medium text-fg">
                {item.answers === undefined
                  ? "Not answered."
                  : item.answers === null
                    ? "Dismissed."
                    : (item.answers[index] ?? []).join(", ") || "No answer."}
              </dd>
            </div>
          ))}
          {item.answers ? (
            <p className="text-xs text-fg-muted">
              Answered by {item.answeredBy === userId ? "you" : "a teammate"}
            </p>
          ) : null}
        </dl>
      )}
    </article>
  );
});
