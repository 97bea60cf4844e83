/** `{ field: { fileName: bytes } }` for files, `{ field: 'text' }` for plain fields, as ModelArts passes them. */
export type MultipartData = Record<string, Record<string, Buffer> | string>;
