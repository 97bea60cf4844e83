/** `{ field: { fileName: bytes } }` for files, `{ field: 'text' }` for plain fields, as ModelArts passes them. */
export type MultipartData = Record<string, Record<string, Buffer> | string>;

/**
 * A file part into its field's slot: files of one field gather under their names, a name
 * already taken gets " (2)", " (3)" …, and a part with no name is `file<n>`. A text field of
 * the same name gives way to the files.
 */
export function addFile(data: MultipartData, field: string, filename: string, content: Buffer): void {
  const slot = typeof data[field] === 'object' ? data[field] : {};
  slot[uniqueName(slot, filename || `file${Object.keys(slot).length}`)] = content;
  data[field] = slot;
}

/** A text field, unless files came under its name already. */
export function addField(data: MultipartData, field: string, value: string): void {
  if (typeof data[field] !== 'object') data[field] = value;
}

function uniqueName(slot: Record<string, Buffer>, name: string): string {
  let candidate = name;
  for (let i = 2; candidate in slot; i++) candidate = `${name} (${i})`;
  return candidate;
}
