/** The text as a double-decoding gateway reads it: `%25` turned into `%`, up to three times over. */
export function withoutDoubleEncoding(text: string): string {
  let out = text;
  for (let i = 0; i < 3 && out.includes('%25'); i++) out = out.replace(/%25/g, '%');
  return out;
}

/** `decodeURIComponent`, or the text as it is when it holds a malformed escape (`%zz`, a lone `%`). */
export function decodedOrAsIs(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
