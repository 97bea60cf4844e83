/**
 * The XML this server speaks: building response documents, and parsing the few small
 * request documents S3 clients send (CompleteMultipartUpload, DeleteObjects).
 */

const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Markup that is already escaped, kept apart from plain strings so text is never emitted raw. */
export interface Xml {
  readonly markup: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // A literal CR would be normalised to LF by the client's parser and change the key.
  '\r': '&#13;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]);
}

/** One element; text content and attribute values are escaped, child elements are nested as they are. */
export function el(name: string, content: string | number | boolean | readonly Xml[], attributes: Record<string, string> = {}): Xml {
  const inner = Array.isArray(content)
    ? (content as readonly Xml[]).map((x) => x.markup).join('')
    : escapeXml(String(content));
  const attrs = Object.entries(attributes)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  return { markup: `<${name}${attrs}>${inner}</${name}>` };
}

/** Elements whose value may be absent are simply left out, as S3 does. */
export function optionalEl(name: string, content: string | number | undefined): Xml[] {
  return content === undefined ? [] : [el(name, content)];
}

export function xmlDocument(root: string, content: readonly Xml[] | string): string {
  const inner = typeof content === 'string' ? escapeXml(content) : content.map((x) => x.markup).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_XMLNS}">${inner}</${root}>`;
}

// ---------------------------------------------------------------------------
// Parsing

export interface XmlElement {
  /** Local name: a namespace prefix, if any, is dropped. */
  name: string;
  children: XmlElement[];
  text: string;
}

/** Named by hand, as S3Error is: a package imports nothing of the repository's folders, so not kernel's base class. */
class XmlSyntaxError extends Error {
  override name = 'XmlSyntaxError';
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const OPEN_TAG = /<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;

function decodeEntities(text: string): string {
  return text.replace(/&([^;&<]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new XmlSyntaxError('unterminated entity');
    if (name in NAMED_ENTITIES) return NAMED_ENTITIES[name];
    const num = /^#x([0-9a-fA-F]{1,6})$/.exec(name) ?? /^#([0-9]{1,7})$/.exec(name);
    const code = num ? parseInt(num[1], name.startsWith('#x') ? 16 : 10) : NaN;
    if (!(code >= 0 && code <= 0x10ffff)) throw new XmlSyntaxError(`unknown entity &${name};`);
    return String.fromCodePoint(code);
  });
}

function localName(qualified: string): string {
  return qualified.slice(qualified.indexOf(':') + 1);
}

/**
 * Parses a small XML document into elements. DTDs are refused outright: no request
 * document needs one, and refusing them rules out entity-expansion tricks.
 */
export function parseXml(source: string): XmlElement {
  const document: XmlElement = { name: '#document', children: [], text: '' };
  const stack = [document];
  const top = (): XmlElement => stack[stack.length - 1];
  const find = (token: string, from: number): number => {
    const at = source.indexOf(token, from);
    if (at < 0) throw new XmlSyntaxError(`missing ${token}`);
    return at;
  };
  let pos = 0;
  while (pos < source.length) {
    const lt = source.indexOf('<', pos);
    const textEnd = lt < 0 ? source.length : lt;
    if (textEnd > pos) {
      const text = decodeEntities(source.slice(pos, textEnd));
      if (stack.length === 1 && text.trim() !== '') throw new XmlSyntaxError('text outside the root element');
      top().text += text;
    }
    if (lt < 0) break;
    if (source.startsWith('<?', lt)) {
      pos = find('?>', lt) + 2;
    } else if (source.startsWith('<!--', lt)) {
      pos = find('-->', lt) + 3;
    } else if (source.startsWith('<![CDATA[', lt)) {
      const end = find(']]>', lt);
      top().text += source.slice(lt + 9, end);
      pos = end + 3;
    } else if (source.startsWith('<!', lt)) {
      throw new XmlSyntaxError('DTDs are not accepted');
    } else if (source.startsWith('</', lt)) {
      const end = find('>', lt);
      const name = localName(source.slice(lt + 2, end).trim());
      if (stack.length === 1 || top().name !== name) throw new XmlSyntaxError(`unexpected </${name}>`);
      stack.pop();
      pos = end + 1;
    } else {
      OPEN_TAG.lastIndex = lt;
      const m = OPEN_TAG.exec(source);
      if (!m) throw new XmlSyntaxError('malformed tag');
      const element: XmlElement = { name: localName(m[1]), children: [], text: '' };
      if (stack.length === 1 && document.children.length > 0) throw new XmlSyntaxError('more than one root element');
      top().children.push(element);
      if (m[3] !== '/') stack.push(element);
      pos = OPEN_TAG.lastIndex;
    }
  }
  if (stack.length !== 1 || document.children.length !== 1) throw new XmlSyntaxError('unbalanced document');
  return document.children[0];
}

export function childElements(parent: XmlElement, name: string): XmlElement[] {
  return parent.children.filter((c) => c.name === name);
}

export function childText(parent: XmlElement, name: string): string | undefined {
  return parent.children.find((c) => c.name === name)?.text;
}
