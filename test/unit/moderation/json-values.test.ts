import { jsonValuesOver } from '../../../core/moderation/json-values';

// Found in review: the prompt gate parsed any body up to the platform's limit, and 6 MB of `{},` took 213 MB
// of heap (one such request ended a 128 MB function). The count must see every value JSON.parse would
// build, and none of the commas or brackets inside strings.
describe('jsonValuesOver', () => {
  const body = (text: string): Buffer => Buffer.from(text);
  it.each<[string, string, number, boolean]>([
    // { [ , , { , [ : seven.
    ['objects, arrays and elements', '{"a":[1,2,{}],"b":[]}', 7, false],
    ['one more than the limit', '{"a":[1,2,{}],"b":[]}', 6, true],
    ['commas and brackets in a string', '{"text":"a, b, [c], {d}, e, f"}', 1, false],
    ['an escaped quote does not end the string', '{"text":"say \\", [x], {y}, z"}', 1, false],
    ['an escaped backslash before the closing quote', '{"t":"a\\\\","u":[1,2]}', 4, false],
    ['the same, over', '{"t":"a\\\\","u":[1,2]}', 3, true],
    ['invalid JSON is counted up to the end', '[{},{},{},', 7, false],
    ['invalid JSON over the limit', '[{},{},{},', 6, true],
  ])('%s', (_name, text, limit, over) => expect(jsonValuesOver(body(text), limit)).toBe(over));
});
