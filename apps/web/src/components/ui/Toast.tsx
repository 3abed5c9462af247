import { CircleCheck, CircleExclamationPoint } from "lucide-react";
import type { CSSProperties } from "react";
import { Toaster, toast } from "sonner";
// Bundled as a file; the build drops sonner's own <style> injection, which the studio's CSP
// (style-src 'self') blocks.
import "sonner/dist/styles.css";

type ToastTone = "success" | "danger";

interface ToastApi {
  show: (message: string, tone?: ToastTone) => void;
}

const api: ToastApi = {
  show: (message, tone = "success") => {
    if (tone === "danger") toast.error(message);
    else toast.success(message);
  },
};

/** Shows a short notification; `<Toasts>` (rendered once, in the app's providers) displays it. */
export function useToast(): ToastApi {
  return api;
}

// Sonner's own colours, pointed at the app's tokens so light and dark follow the theme.
const tokens = {
  "--normal-bg": "var(--color-surface)",
  "--normal-bg-hover": "var(--color-surface-hover)",
  "--normal-border": "var(--color-line)",
  "--normal-border-hover": "var(--color-line-strong)",
  "--normal-text": "var(--color-fg)",
} as CSSProperties;

/** The notification area: sonner's live region, bottom right, in the given theme. */
export function Toasts({ theme }: { theme: "light" | "dark" }) {
  return (
    <Toaster
      theme={theme}
      position="bottom-right"
      duration={4000}
      visibleToasts={3}
      closeButton
      style={tokens}
      icons={{
        success: <CircleCheck className="size-4 text-success-soft-fg" aria-hidden="true" />,
        error: <CircleExclamationPoint className="size-4 text-danger" aria-hidden="true" />,
      }}
      toastOptions={{
        closeButtonAriaLabel: "Dismiss notification",
        classNames: { toast: "font-sans! text-[13px]! shadow-pop!", title: "font-normal!" },
      }}
    />
  );
}
