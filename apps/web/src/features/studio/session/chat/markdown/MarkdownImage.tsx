import { ImageIcon } from "lucide-react";

/** Images the page may show: inline raster or SVG data (an `<img>` never runs a script), nothing fetched. */
export function isInlineImage(src: string): boolean {
  return /^data:image\/(png|gif|jpe?g|webp|avif|svg\+xml)[;,]/i.test(src);
}

interface MarkdownImageProps {
  /** The sanitised URL, or null when the sanitiser refused it. */
  src: string | null;
  alt: string;
  title?: string | undefined;
  /** Inside a Markdown link already: a link cannot hold another. */
  inLink: boolean;
}

/**
 * A Markdown image from agent output. Loading an external image would send a request the agent
 * chose (and whatever it put in the URL) from the person's browser, so only `data:` images are
 * shown; any other image is a link the person may choose to open.
 */
export function MarkdownImage({ src, alt, title, inLink }: MarkdownImageProps) {
  if (src && isInlineImage(src)) return <img src={src} alt={alt} title={title} />;
  const label = alt || title || src || "image";
  const content = (
    <>
      <ImageIcon aria-hidden="true" className="inline size-3.5 align-[-0.125em]" /> {label}
    </>
  );
  if (!src || inLink) return <span className="markdown-image-link">{content}</span>;
  return (
    <a
      className="markdown-image-link"
      href={src}
      target="_blank"
      rel="noreferrer noopener"
      title={`Image not loaded: ${src}`}
    >
      {content}
    </a>
  );
}
