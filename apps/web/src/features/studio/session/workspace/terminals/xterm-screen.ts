// The terminal's screen: xterm.js with its fit addon. This module is only ever imported dynamically
// (TerminalScreen.tsx), so xterm stays out of the page's first download.
import "@xterm/xterm/css/xterm.css";
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { routeRowsThrough, styleSafeDocument } from "./xterm-csp.ts";
import { onThemeChange, terminalTheme } from "./xterm-theme.ts";

export interface TerminalScreen {
  write: (data: Uint8Array | string) => void;
  /** Clears the screen and scrollback, before a reconnect's replay draws them again. */
  reset: () => void;
  /** The current size in cells. */
  size: () => { cols: number; rows: number };
  setReadOnly: (readOnly: boolean) => void;
  focus: () => void;
  dispose: () => void;
}

export interface TerminalScreenOptions {
  readOnly: boolean;
  /** The id of the text that tells keyboard users how to leave the terminal. */
  hintId: string;
  /** What the person typed or pasted, to send to the shell. */
  onInput: (data: string) => void;
  /** The screen was fitted to a new size, in cells. */
  onResize: (cols: number, rows: number) => void;
}

/** How soon after Escape a Tab leaves the terminal instead of reaching the shell. */
const LEAVE_WINDOW_MS = 2000;

const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform);

export function createTerminalScreen(host: HTMLElement, options: TerminalScreenOptions): TerminalScreen {
  const styles = styleSafeDocument();
  const terminal = new Terminal({
    documentOverride: styles.document,
    scrollback: 5000,
    fontFamily: 'ui-monospace, "SF Mono", "JetBrains Mono", Menlo, Consolas, monospace',
    fontSize: 13,
    lineHeight: 1.2,
    cursorBlink: !window.matchMedia("(prefers-reduced-motion: reduce)").matches,
    disableStdin: options.readOnly,
    allowProposedApi: false,
    macOptionIsMeta: true,
    rightClickSelectsWord: isMac(),
    theme: terminalTheme(),
  });
  const fit = new FitAddon();
  terminal.loadAddon(fit);

  // Ctrl+Shift+C and Ctrl+Shift+V, as desktop terminals have them (Ctrl+C stays the interrupt). The
  // browser's own copy (⌘C, the context menu) and paste work through xterm's own handlers.
  // Tab belongs to the shell (completion), so the terminal would trap keyboard focus: Escape then
  // Tab (or Shift+Tab) leaves it, as the hint beside it says.
  let escapedAt = 0;
  terminal.attachCustomKeyEventHandler((event) => {
    if (event.type !== "keydown") return true;
    if (event.key === "Escape") escapedAt = Date.now();
    else if (event.key === "Tab" && Date.now() - escapedAt < LEAVE_WINDOW_MS) {
      escapedAt = 0;
      // The Escape has reached the shell, whose line editor now waits for the key it prefixes (as
      // Alt+key): the first letter typed on coming back would be eaten. Ctrl+G after it is readline's
      // "abort", which drops the pending Escape and leaves the line as it was.
      options.onInput("\x07");
      return false;
    } else if (event.key !== "Shift") escapedAt = 0;
    if (!event.ctrlKey || !event.shiftKey || event.altKey || event.metaKey) return true;
    const key = event.key.toLowerCase();
    if (key === "c") {
      event.preventDefault();
      if (terminal.hasSelection())
        void navigator.clipboard?.writeText(terminal.getSelection()).catch(() => {});
      return false;
    }
    // Not prevented: the browser pastes into xterm's textarea, which sends it to the shell.
    if (key === "v") return false;
    return true;
  });

  styles.during(() => terminal.open(host));
  terminal.textarea?.setAttribute("aria-describedby", options.hintId);
  if (!routeRowsThrough(terminal, styles.document))
    console.warn("xterm: selections may show no highlight here");
  const input = terminal.onData((data) => options.onInput(data));
  const binary = terminal.onBinary((data) => options.onInput(data));

  let last = { cols: 0, rows: 0 };
  let frame = 0;
  const refit = () => {
    frame = 0;
    // A hidden pane (another tab shown) has no size: keep the last one.
    if (host.clientWidth === 0 || host.clientHeight === 0) return;
    fit.fit();
    if (terminal.cols !== last.cols || terminal.rows !== last.rows) {
      last = { cols: terminal.cols, rows: terminal.rows };
      options.onResize(terminal.cols, terminal.rows);
    }
  };
  const resizes = new ResizeObserver(() => {
    if (!frame) frame = requestAnimationFrame(refit);
  });
  resizes.observe(host);
  refit();
  const stopTheme = onThemeChange(() => {
    terminal.options.theme = terminalTheme();
  });

  return {
    write: (data) => terminal.write(data),
    reset: () => terminal.reset(),
    size: () => ({ cols: terminal.cols, rows: terminal.rows }),
    setReadOnly: (readOnly) => {
      terminal.options.disableStdin = readOnly;
    },
    focus: () => terminal.focus(),
    dispose: () => {
      if (frame) cancelAnimationFrame(frame);
      resizes.disconnect();
      stopTheme();
      input.dispose();
      binary.dispose();
      terminal.dispose();
      styles.dispose();
    },
  };
}
