import { memo } from "react";
import type { ChatItem } from "../chat-types.ts";
import { GitPushedRow } from "./GitPushedRow.tsx";
import { AssistantMessage, NoticeRow, ThinkingBlock, UserMessage } from "./Messages.tsx";
import { PermissionCard } from "./PermissionCard.tsx";
import { PlanCard } from "./PlanCard.tsx";
import { ProvisioningCard } from "./ProvisioningCard.tsx";
import { QuestionCard } from "./QuestionCard.tsx";
import { ToolCard } from "./ToolCard.tsx";

/** One conversation item, whatever its kind. */
export const ChatRow = memo(function ChatRow({ item, streaming }: { item: ChatItem; streaming: boolean }) {
  switch (item.kind) {
    case "user":
      return <UserMessage item={item} />;
    case "assistant":
      return <AssistantMessage item={item} streaming={streaming} />;
    case "thinking":
      return <ThinkingBlock item={item} streaming={streaming} />;
    case "tool":
      return (
        <div className="ml-10">
          <ToolCard item={item} />
        </div>
      );
    case "permission":
      return (
        <div className="ml-10">
          <PermissionCard item={item} />
        </div>
      );
    case "question":
      return (
        <div className="ml-10">
          <QuestionCard item={item} />
        </div>
      );
    case "notice":
      return <NoticeRow item={item} />;
    case "provisioning":
      return <ProvisioningCard item={item} />;
    case "git_pushed":
      return <GitPushedRow item={item} />;
    case "plan":
      return (
        <div className="ml-10">
          <PlanCard item={item} />
        </div>
      );
  }
});
