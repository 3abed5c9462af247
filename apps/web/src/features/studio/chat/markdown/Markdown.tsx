import MarkdownToJsx, { type MarkdownToJSX, RuleType } from "markdown-to-jsx/react";
import { memo } from "react";
import { CodeBlock } from "./CodeBlock.tsx";

const options: MarkdownToJSX.Options = {
  // The agent's text is shown, never interpreted: raw HTML stays text.
  disableParsingRawHTML: true,
  forceBlock: true,
  wrapper: null,
  overrides: {
    a: { props: { target: "_blank", rel: "noreferrer noopener" } },
  },
  renderRule(next, node, _children, state) {
    if (node.type === RuleType.codeBlock) {
      return <CodeBlock key={state.key} code={node.text} language={node.lang} />;
    }
    return next();
  },
};

/** Markdown as the agent streams it: re-parsed on each chunk (fast enough for replies of any length). */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="prose-chat">
      <MarkdownToJsx options={options}>{text}</MarkdownToJsx>
    </div>
  );
});
