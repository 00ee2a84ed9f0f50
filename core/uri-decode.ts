/** `decodeURIComponent`, or the text as it is when it holds a malformed escape (`%zz`, a lone `%`). */
export function decodedOrAsIs(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
