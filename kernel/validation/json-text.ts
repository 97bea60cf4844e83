/**
 * Reads JSON text the way a user needs when it is wrong: JSON.parse in Node 20 often
 * says where but not what ("Unexpected token") and sometimes not even where, while
 * hand-edited files fail for a handful of reasons worth naming (comments, trailing
 * commas, single quotes, Python's True/None). The scanner below follows the JSON
 * grammar only to find the first error and any duplicate keys; the value itself still
 * comes from JSON.parse, so both always agree on what valid JSON means.
 */
import { PlatformError } from '../errors';

interface TextPosition {
  line: number;
  column: number;
}

interface JsonTextError extends TextPosition {
  message: string;
}

interface DuplicateKey extends TextPosition {
  /** Keys and indexes from the root down to the repeated key. */
  path: (string | number)[];
}

export interface JsonText {
  /** The parsed value; absent when the text is not JSON. */
  value?: unknown;
  error?: JsonTextError;
  /** Keys written twice in one object: JSON.parse silently keeps the last. */
  duplicateKeys: DuplicateKey[];
  /** The text started with a byte-order mark, which was ignored. */
  bom: boolean;
}

export function readJsonText(input: string): JsonText {
  const bom = input.charCodeAt(0) === 0xfeff;
  const text = bom ? input.slice(1) : input;
  const scanner = new Scanner(text);
  try {
    scanner.document();
  } catch (err) {
    if (err instanceof ScanError) return { error: { ...positionOf(text, err.at), message: err.message }, duplicateKeys: [], bom };
    if (err instanceof RangeError) return { error: { line: 1, column: 1, message: 'the JSON is nested too deeply to read' }, duplicateKeys: [], bom };
    throw err;
  }
  const duplicateKeys = scanner.duplicates.map((d) => ({ path: d.path, ...positionOf(text, d.at) }));
  return { value: JSON.parse(text) as unknown, duplicateKeys, bom };
}

function positionOf(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class ScanError extends PlatformError {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const NOT_JSON_WORDS: Record<string, string> = {
  True: 'write true',
  False: 'write false',
  None: 'write null',
  undefined: 'write null',
  NaN: 'JSON has no NaN; write a number or null',
  Infinity: 'JSON has no Infinity; write a number or null',
};

class Scanner {
  pos = 0;
  readonly duplicates: { path: (string | number)[]; at: number }[] = [];

  constructor(private readonly text: string) {}

  document(): void {
    this.skipSpace();
    if (this.pos >= this.text.length) throw new ScanError('the file is empty; it must hold a JSON object', 0);
    this.value([]);
    this.skipSpace();
    if (this.pos < this.text.length) throw new ScanError('more text follows the end of the JSON value; delete it (or the value closed too early)', this.pos);
  }

  private value(path: (string | number)[]): void {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.object(path);
    if (c === '[') return this.array(path);
    if (c === '"') return void this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.pos) && !/[A-Za-z0-9_]/.test(this.text[this.pos + literal.length] ?? '')) {
        this.pos += literal.length;
        return;
      }
    }
    this.unexpected('a value');
  }

  private object(path: (string | number)[]): void {
    this.pos++;
    const seen = new Set<string>();
    this.skipSpace();
    if (this.text[this.pos] === '}') return void this.pos++;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.unexpected('a property name in double quotes');
      const keyAt = this.pos;
      const key = this.string();
      if (seen.has(key)) this.duplicates.push({ path: [...path, key], at: keyAt });
      seen.add(key);
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.unexpected(`a colon after "${key}"`);
      this.pos++;
      this.value([...path, key]);
      if (this.separator('}')) return;
    }
  }

  private array(path: (string | number)[]): void {
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') return void this.pos++;
    for (let index = 0; ; index++) {
      this.value([...path, index]);
      if (this.separator(']')) return;
    }
  }

  /** After a member: true at the closing bracket, false after a comma that has a member after it. */
  private separator(close: '}' | ']'): boolean {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === close) {
      this.pos++;
      return true;
    }
    if (c !== ',') {
      if (c === '"' || (close === ']' && c !== undefined && /[[{\d-]/.test(c))) throw new ScanError(`a comma is missing before this ${close === '}' ? 'field' : 'item'}`, this.pos);
      this.unexpected(`a comma or ${close}`);
    }
    const commaAt = this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === close) throw new ScanError(`a comma must be followed by another ${close === '}' ? 'field' : 'item'}; delete this trailing comma`, commaAt);
    return false;
  }

  private string(): string {
    const start = this.pos++;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n') throw new ScanError('this string is not closed; a double quote is missing', start);
      if (c === '"') break;
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        if (e === 'u' ? !/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6)) : !'"\\/bfnrt'.includes(e ?? 'x')) {
          throw new ScanError('invalid escape in a string (a backslash must be written \\\\)', this.pos);
        }
        this.pos += e === 'u' ? 6 : 2;
        continue;
      }
      if (c < ' ') throw new ScanError('tabs and control characters inside a string must be escaped (\\t)', this.pos);
      this.pos++;
    }
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private number(): void {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) this.unexpected('a number');
    this.pos += m[0].length;
    if (/^-?0$/.test(m[0]) && /\d/.test(this.text[this.pos] ?? '')) throw new ScanError('numbers must not start with 0 (write 7, not 07)', this.pos - 1);
    if (/[.eE]/.test(this.text[this.pos] ?? '')) throw new ScanError('this number is not complete (digits must follow "." and "e")', this.pos);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos])) this.pos++;
  }

  /** Names what stands at the current position, in the words a user would use. */
  private unexpected(expected: string): never {
    const at = this.pos;
    const c = this.text[at];
    if (c === undefined) throw new ScanError(`the text ends before the JSON is complete (expected ${expected}); a closing } or ] may be missing`, at);
    const next = this.text[at + 1];
    if (c === '/' && (next === '/' || next === '*')) throw new ScanError('comments are not allowed in JSON; delete this comment', at);
    if (c === '#') throw new ScanError('comments are not allowed in JSON; delete this comment', at);
    if (c === "'") throw new ScanError('strings and names must be in double quotes ("), not single quotes', at);
    WORD.lastIndex = at;
    const word = WORD.exec(this.text)?.[0];
    if (word && NOT_JSON_WORDS[word]) throw new ScanError(`${word} is not JSON; ${NOT_JSON_WORDS[word]}`, at);
    if (word && expected.startsWith('a property name')) throw new ScanError(`property names must be in double quotes: write "${word}"`, at);
    const found = word ?? JSON.stringify(c);
    throw new ScanError(`expected ${expected} but found ${found}`, at);
  }
}
