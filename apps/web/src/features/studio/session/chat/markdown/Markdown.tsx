import MarkdownToJsx, { type MarkdownToJSX, RuleType } from "markdown-to-jsx/react";
import { memo } from "react";
import { CodeBlock } from "./CodeBlock.tsx";
import { MarkdownImage } from "./MarkdownImage.tsx";

// Whether the rule being rendered sits inside a link (rendering is synchronous and depth-first).
let linkDepth = 0;

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
    // An image URL in agent output is a request to anywhere the agent names (a prompt-injected agent
    // could put data in it): only inline `data:` images are shown, the rest become links.
    if (node.type === RuleType.image) {
      return (
        <MarkdownImage
          key={state.key}
          src={node.target}
          alt={node.alt ?? ""}
          title={node.title}
          inLink={linkDepth > 0 || Boolean(state.inAnchor)}
        />
      );
    }
    if (node.type === RuleType.link) {
      linkDepth += 1;
      try {
        return next();
      } finally {
        linkDepth -= 1;
      }
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
