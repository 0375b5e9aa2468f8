/**
 * Copies text for a secret shown once. The clipboard API needs a secure context; on plain http to a LAN
 * address this falls back to selecting the element's text and the old copy command.
 */
export async function copyText(text: string, element: HTMLElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!element) return false;
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    // Deprecated but the only way without the clipboard API; the text stays selected if it fails.
    return document.execCommand("copy");
  }
}
