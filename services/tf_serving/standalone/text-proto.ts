/**
 * Protocol buffers' text format, enough for TF Serving's config files: fields
 * `name: value` (strings in single or double quotes, numbers, identifiers), nested
 * messages `name { … }` (or `name: { … }`), `#` comments. Every field is a list, since
 * any may repeat.
 */
export interface TextMessage {
  [field: string]: (string | number | TextMessage)[];
}

const TOKEN = /\s*(?:#[^\n]*|([A-Za-z_][A-Za-z0-9_.]*)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|([{}:;,<>]))/y;

type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) {
      if (/^\s*$/.test(text.slice(at))) break;
      throw new Error(`cannot read the text at "${text.slice(at, at + 20).trim()}"`);
    }
    if (m[1]) tokens.push({ kind: 'ident', text: m[1] });
    else if (m[2]) tokens.push({ kind: 'string', text: m[2].slice(1, -1).replace(/\\(.)/g, '$1') });
    else if (m[3]) tokens.push({ kind: 'number', text: m[3] });
    else if (m[4]) tokens.push({ kind: 'punct', text: m[4] });
  }
  return tokens;
}

export function parseTextProto(text: string): TextMessage {
  const tokens = tokenize(text);
  let at = 0;
  const message = (close?: string): TextMessage => {
    const out: TextMessage = {};
    while (at < tokens.length && tokens[at].text !== close) {
      const name = tokens[at++];
      if (name.kind !== 'ident') throw new Error(`expected a field name, found "${name.text}"`);
      if (tokens[at]?.text === ':') at++;
      const next = tokens[at++];
      if (!next) throw new Error(`field ${name.text} has no value`);
      let value: string | number | TextMessage;
      if (next.text === '{' || next.text === '<') value = message(next.text === '{' ? '}' : '>');
      else if (next.kind === 'number') value = Number(next.text);
      else if (next.kind === 'string' || next.kind === 'ident') value = next.text;
      else throw new Error(`field ${name.text} has no value`);
      (out[name.text] ??= []).push(value);
      if (tokens[at]?.text === ';' || tokens[at]?.text === ',') at++;
    }
    if (close) {
      if (tokens[at]?.text !== close) throw new Error(`a message is not closed with "${close}"`);
      at++;
    }
    return out;
  };
  return message();
}
