import { stripVTControlCharacters } from 'node:util';

/**
 * Whether output a page shows has the shape of what the command prints now: the same lines
 * in the same order (blank lines aside), where every number and id may differ (figures change
 * from run to run) and so may padding, `…` inside a line stands for any text and `…` alone on a
 * line for any number of lines.
 * Returns undefined when it matches, else the first doc line that does not.
 */
export function shapeMismatch(shown: string, printed: string): string | undefined {
  const want = contentLines(shown).map(linePattern);
  const got = contentLines(stripVTControlCharacters(printed)).map((l) => l.trimEnd());
  const memo = new Map<string, boolean>();
  const fits = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    if (memo.has(key)) return memo.get(key)!;
    let ok: boolean;
    if (i === want.length) ok = j === got.length;
    else if (want[i] === ANY_LINES) ok = fits(i + 1, j) || (j < got.length && fits(i, j + 1));
    else ok = j < got.length && (want[i] as RegExp).test(got[j]) && fits(i + 1, j + 1);
    memo.set(key, ok);
    return ok;
  };
  if (fits(0, 0)) return undefined;
  // The longest prefix of the doc that still fits says where it went wrong.
  const lines = contentLines(shown);
  for (let n = want.length - 1; n >= 0; n--) {
    const prefix = want.slice(0, n);
    if (prefixFits(prefix, got)) return `the page shows ${JSON.stringify(lines[n])}, which the command no longer prints there`;
  }
  return 'the output differs from its first line';
}

const ANY_LINES = Symbol('any lines');

const HEX = '\u0001';
const NUMBER = '\u0002';
const SPACES = '\u0003';

/** A shown line as a pattern: ids (runs of 6+ hex digits) and numbers may differ, and so may the width of padding. */
function linePattern(line: string): RegExp | typeof ANY_LINES {
  const text = line.trimEnd();
  if (text.trim() === '…') return ANY_LINES;
  const parts = text.split('…').map((part) =>
    escape(part.replace(/\b[0-9a-f]{6,}\b/g, HEX).replace(/\d+(?:\.\d+)?/g, NUMBER).replace(/ {2,}|^ +/g, SPACES))
      .replaceAll(HEX, '[0-9a-f]+')
      .replaceAll(NUMBER, '\\d+(?:\\.\\d+)?')
      .replaceAll(SPACES, ' *'),
  );
  return new RegExp(`^${parts.join('.*')}$`);
}

function prefixFits(prefix: (RegExp | typeof ANY_LINES)[], got: string[]): boolean {
  const go = (i: number, j: number): boolean => {
    if (i === prefix.length) return true;
    if (prefix[i] === ANY_LINES) return go(i + 1, j) || (j < got.length && go(i, j + 1));
    return j < got.length && (prefix[i] as RegExp).test(got[j]) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Blank lines are layout, not content: they are left out on both sides. */
function contentLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}
