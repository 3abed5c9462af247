// The terminal's colours from the app's own CSS variables (index.css), so it follows light and dark.
// xterm wants colours it can parse: the variables are oklch, so each is painted on a 1×1 canvas
// and read back as rgb.
import type { ITheme } from "@xterm/xterm";

let probe: CanvasRenderingContext2D | null | undefined;

function toRgb(color: string, fallback: string): string {
  probe ??= document.createElement("canvas").getContext("2d", { willReadFrequently: true });
  if (!probe || !color) return fallback;
  probe.clearRect(0, 0, 1, 1);
  probe.fillStyle = fallback;
  probe.fillStyle = color;
  probe.fillRect(0, 0, 1, 1);
  const [r = 0, g = 0, b = 0] = probe.getImageData(0, 0, 1, 1).data;
  return `rgb(${r}, ${g}, ${b})`;
}

// ANSI colours readable on each theme's surface: darker on light, brighter on dark.
const LIGHT_ANSI = {
  black: "#24292f",
  red: "#c4314b",
  green: "#116329",
  yellow: "#7d4e00",
  blue: "#0550ae",
  magenta: "#8250df",
  cyan: "#1b7c83",
  white: "#6e7781",
  brightBlack: "#57606a",
  brightRed: "#a40e26",
  brightGreen: "#1a7f37",
  brightYellow: "#633c01",
  brightBlue: "#218bff",
  brightMagenta: "#a475f9",
  brightCyan: "#3192aa",
  brightWhite: "#8c959f",
};

const DARK_ANSI = {
  black: "#484f58",
  red: "#ff7b72",
  green: "#3fb950",
  yellow: "#d29922",
  blue: "#58a6ff",
  magenta: "#bc8cff",
  cyan: "#39c5cf",
  white: "#b1bac4",
  brightBlack: "#6e7681",
  brightRed: "#ffa198",
  brightGreen: "#56d364",
  brightYellow: "#e3b341",
  brightBlue: "#79c0ff",
  brightMagenta: "#d2a8ff",
  brightCyan: "#56d4dd",
  brightWhite: "#f0f6fc",
};

export function isDarkTheme(): boolean {
  return document.documentElement.classList.contains("dark");
}

/** The theme for the app's current colours. */
export function terminalTheme(): ITheme {
  const style = getComputedStyle(document.documentElement);
  const variable = (name: string, fallback: string) => toRgb(style.getPropertyValue(name).trim(), fallback);
  const dark = isDarkTheme();
  return {
    background: variable("--surface", dark ? "#1c1c22" : "#ffffff"),
    foreground: variable("--fg", dark ? "#f0f0f4" : "#1f1f26"),
    cursor: variable("--accent", "#5b5bd6"),
    cursorAccent: variable("--surface", dark ? "#1c1c22" : "#ffffff"),
    selectionBackground: variable("--accent-soft", dark ? "#3a3a6a" : "#e4e4fb"),
    scrollbarSliderBackground: dark ? "rgba(255, 255, 255, 0.18)" : "rgba(0, 0, 0, 0.18)",
    scrollbarSliderHoverBackground: dark ? "rgba(255, 255, 255, 0.3)" : "rgba(0, 0, 0, 0.3)",
    scrollbarSliderActiveBackground: dark ? "rgba(255, 255, 255, 0.4)" : "rgba(0, 0, 0, 0.4)",
    ...(dark ? DARK_ANSI : LIGHT_ANSI),
  };
}

/** Calls back whenever the app switches between light and dark (a class on <html>). */
export function onThemeChange(callback: () => void): () => void {
  const observer = new MutationObserver(callback);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  return () => observer.disconnect();
}
