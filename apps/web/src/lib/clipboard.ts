/**
 * Copies text. Plain-HTTP self-hosted studios have no Clipboard API; a hidden textarea and
 * execCommand still work there.
 */
export async function copyText(text: string, fallbackInput?: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Fall through: a denied permission still leaves the selection route.
  }
  if (fallbackInput) {
    fallbackInput.select();
    return document.execCommand("copy");
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  return ok;
}
