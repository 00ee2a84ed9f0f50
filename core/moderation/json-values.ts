/**
 * How many values a JSON body holds at most, counted before it is parsed: `JSON.parse` of a body made of
 * tiny values costs about 35 times its size in heap (6 MB of `{},` grew RSS by 213 MB, 30 MB by 1 GB), which
 * ends a 128 MB function and every stream on it. A prompt holds far fewer: a chat of a thousand messages
 * with image parts has some ten thousand.
 */
export const JSON_VALUE_LIMIT = 100_000;

/**
 * Is `body` over `limit` objects, arrays and elements? Counts `{`, `[` and `,` outside strings, following
 * JSON's own rules for where a string starts and ends (a `\` escapes the next byte), so commas in a pasted
 * document are not counted. For a body that is not valid JSON the count holds up to where `JSON.parse`
 * stops. One pass over the bytes, nothing allocated.
 */
export function jsonValuesOver(body: Uint8Array, limit = JSON_VALUE_LIMIT): boolean {
  let count = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (inString) {
      if (b === 0x5c /* \ */) i++;
      else if (b === 0x22 /* " */) inString = false;
    } else if (b === 0x22) {
      inString = true;
    } else if ((b === 0x2c /* , */ || b === 0x5b /* [ */ || b === 0x7b) /* { */ && ++count > limit) {
      return true;
    }
  }
  return false;
}
