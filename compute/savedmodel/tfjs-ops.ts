/**
 * The TensorFlow ops tfjs' graph executor runs, read from the op lists of the installed
 * @tensorflow/tfjs-converter (dist/operations/op_list/*.js, one `tfOpName` per op). The
 * lists are data inside the package rather than an export, so they are read as text:
 * what the installed version runs is what import accepts.
 */
import fs from 'node:fs';
import path from 'node:path';

let ops: Set<string> | undefined;

export function tfjsGraphOps(): Set<string> {
  if (!ops) {
    const main = require.resolve('@tensorflow/tfjs-converter');
    const dir = path.join(path.dirname(main), 'operations', 'op_list');
    const found = new Set<string>();
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.js'))) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const match of text.matchAll(/'tfOpName':\s*'([A-Za-z0-9_]+)'/g)) found.add(match[1]);
    }
    if (found.size < 100) throw new Error(`tfjs-converter's op lists were not found in ${dir}: the installed @tensorflow/tfjs-converter is laid out differently`);
    ops = found;
  }
  return ops;
}
