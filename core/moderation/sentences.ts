/**
 * An incremental sentence splitter for streamed answers: text goes in as it arrives, whole sentences come out
 * as soon as they are known to be whole, and only the unfinished tail is kept.
 *
 * A sentence ends with a run of enders: 。？！ and newline always end one; ASCII . ! ? end one unless the next
 * character is an ASCII letter or digit, so "3.14", "v2.0", "example.com" and "?q=1" are not split. A run
 * ("?!", "...", "。\n\n") counts as one end, and closing quotes and brackets right after it ("Stop!" or
 * 走吧。」) stay with the sentence they close. Since a run can go on in the next piece of text, a sentence
 * is only emitted once the character after its run has arrived (or at the end, by `rest()`); that costs one
 * streamed token of delay and makes the result independent of how the text was cut.
 *
 * A tail that grows to `max` characters without an end is emitted as it is, so an answer without
 * punctuation (code, a list without full stops) is still checked and held text stays bounded.
 */
export class Sentences {
  private buf = '';
  /** Where scanning resumes in `buf`: the first character not yet known to be inside a sentence. */
  private scan = 0;

  constructor(private readonly max = 2000) {}

  /** Adds text; returns the sentences it completed, in order. */
  push(text: string): string[] {
    const buf = this.buf + text;
    const out: string[] = [];
    let start = 0;
    let i = this.scan;
    while (i < buf.length) {
      const c = buf.charCodeAt(i);
      if (!isEnder(c)) {
        i++;
        continue;
      }
      let strong = isStrong(c);
      let j = i + 1;
      for (; j < buf.length; j++) {
        const d = buf.charCodeAt(j);
        if (isEnder(d)) strong ||= isStrong(d);
        else if (!isCloser(d)) break;
      }
      if (j === buf.length) break; // the run may go on: wait for the next character
      if (strong || !isAsciiAlnum(buf.charCodeAt(j))) {
        out.push(buf.slice(start, j));
        start = j;
      }
      i = j;
    }
    this.buf = buf.slice(start);
    this.scan = i - start;
    if (this.buf.length >= this.max) out.push(this.rest());
    return out;
  }

  /** True while some pushed text is in no emitted sentence yet. */
  get pending(): boolean {
    return this.buf !== '';
  }

  /** The unfinished tail, at the end of the text; the splitter starts afresh. */
  rest(): string {
    const tail = this.buf;
    this.buf = '';
    this.scan = 0;
    return tail;
  }
}

/** True when a sentence holds something worth a check: more than whitespace, enders and closers. */
export function hasWords(sentence: string): boolean {
  for (let i = 0; i < sentence.length; i++) {
    const c = sentence.charCodeAt(i);
    if (!isEnder(c) && !isCloser(c) && !isSpace(c)) return true;
  }
  return false;
}

/** 。？！ and newline end a sentence whatever follows. */
function isStrong(c: number): boolean {
  return c === 0x3002 || c === 0xff1f || c === 0xff01 || c === 0x0a;
}

function isEnder(c: number): boolean {
  return isStrong(c) || c === 0x2e /* . */ || c === 0x21 /* ! */ || c === 0x3f; /* ? */
}

/** Quotes and brackets that close a sentence: " ' ” ’ ) ） 」 』 】 》 */
function isCloser(c: number): boolean {
  return (
    c === 0x22 ||
    c === 0x27 ||
    c === 0x201d ||
    c === 0x2019 ||
    c === 0x29 ||
    c === 0xff09 ||
    c === 0x300d ||
    c === 0x300f ||
    c === 0x3011 ||
    c === 0x300b
  );
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0x3000 || c === 0xa0;
}
