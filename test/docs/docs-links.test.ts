import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../kernel/paths';
import { blocksOf, docFiles, RUNNABLE_LANGS } from './markdown-blocks';

/** GitHub's anchor for a heading: lower case, punctuation out, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n ? `${base}-${n}` : base);
  }
  return anchors;
}

describe('the README and docs link and mark what they show', () => {
  it('has no dead link: every relative link names a file of the repository, and every #anchor a heading there', () => {
    const dead: string[] = [];
    for (const file of docFiles()) {
      const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [rel, anchor] = target.split('#');
        const resolved = rel ? path.resolve(REPO_ROOT, path.dirname(file), rel) : path.join(REPO_ROOT, file);
        if (!fs.existsSync(resolved)) dead.push(`${file}: ${target} (no such file)`);
        else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) dead.push(`${file}: ${target} (no such heading)`);
      }
    }
    assert.deepEqual(dead, []);
  });

  it('gives the address of every console page, and every address it gives opens a page', () => {
    const app = fs.readFileSync(path.join(REPO_ROOT, 'platform', 'console', 'app.js'), 'utf8');
    const routes = [...app.matchAll(/\{ re: \/(.*?)\/, nav:/g)].map((m) => new RegExp(m[1]));
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'console.md'), 'utf8');
    const addresses = [...doc.matchAll(/`(?:http:\/\/127\.0\.0\.1:8080\/)?#\/([^`]*)`/g)].map((m) => m[1].replace(/<[^>]+>/g, 'x'));
    for (const a of addresses) assert.ok(routes.some((re) => re.test(a)), `docs/console.md gives #/${a}, which no console route opens`);
    for (const re of routes) assert.ok(addresses.some((a) => re.test(a)), `the console route ${re} is not in docs/console.md`);
  });

  it('says of every block a user would run whether the docs runner runs it, and why not', () => {
    const unmarked = docFiles()
      .flatMap(blocksOf)
      .filter((b) => RUNNABLE_LANGS.has(b.lang) && !b.directive)
      .map((b) => `${b.file}:${b.line} (${b.lang})`);
    assert.deepEqual(unmarked, [], 'add <!-- doc: run | example | not-run <reason> --> above each (test/docs/markdown-blocks.ts)');
  });
});
