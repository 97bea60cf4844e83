/**
 * The TypeScript compiler in two roles: `customize_service.ts` is transpiled to
 * CommonJS (no type check, like ts-node's transpile-only mode) next to itself, so its
 * relative imports and the folder's node_modules resolve as for the source; and its
 * parser finds the line of a syntax error that Node reports without one (ES modules).
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as TypeScript from 'typescript';
import { HookError } from './hook-error';
import { writeIfChanged } from './hook-package';

interface Problem {
  line: number;
  column: number;
  message: string;
}

/** Transpiles `file` and returns the path of the CommonJS output. */
export async function transpileHook(file: string): Promise<string> {
  const { outputText, problems } = transpile(file, fs.readFileSync(file, 'utf8'));
  if (problems.length) {
    const text = problems.map((p) => `line ${p.line}:${p.column}: ${p.message}`).join('; ');
    throw new HookError(file, `${path.basename(file)} failed to compile: ${text}`);
  }
  // Stack traces of the hook then point into the .ts source, not the output.
  process.setSourceMapsEnabled(true);
  const compiled = path.join(path.dirname(file), `.${path.basename(file, '.ts')}.compiled.cjs`);
  await writeIfChanged(compiled, outputText);
  return compiled;
}

/** The line of the first syntax error in a JavaScript or TypeScript file, if the parser finds one. */
export function syntaxErrorLine(file: string): number | undefined {
  try {
    return transpile(file, fs.readFileSync(file, 'utf8')).problems[0]?.line;
  } catch {
    return undefined;
  }
}

function transpile(file: string, source: string): { outputText: string; problems: Problem[] } {
  // Loaded on demand: the compiler takes a noticeable time to load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand (see above)
  const ts = require('typescript') as typeof TypeScript;
  const output = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      allowJs: true,
      inlineSourceMap: true,
      inlineSources: true,
    },
  });
  const problems = (output.diagnostics ?? [])
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      if (!d.file || d.start === undefined) return { line: 0, column: 0, message };
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return { line: line + 1, column: character + 1, message };
    });
  return { outputText: output.outputText, problems };
}
