import assert from 'node:assert/strict';
import fs from 'node:fs';
import { repoPath } from '../../kernel/paths';
import { OPTIONS, USAGE } from '../../client/cli/main';
import { cli } from '../helpers/cli';

describe('docs/cli.md and the command line\'s own help cannot drift', () => {
  it('shows `modelarts-local --help` exactly as the command prints it', async () => {
    const doc = fs.readFileSync(repoPath('docs', 'cli.md'), 'utf8');
    const block = /```\n\$ modelarts-local --help\n([\s\S]*?)\n```/.exec(doc)?.[1];
    assert.ok(block, 'docs/cli.md has a block starting with $ modelarts-local --help');
    const { code, lines } = await cli('http://127.0.0.1:1', '--help');
    assert.equal(code, 0);
    assert.equal(block, lines.join('\n'));
  });

  it('names every option the parser accepts in the help', () => {
    for (const o of OPTIONS) {
      if (o.name === 'help') continue;
      const named = USAGE.includes(`--${o.name}`) || (o.short !== undefined && USAGE.includes(`-${o.short} `));
      assert.ok(named, `--${o.name} is accepted but not in the help`);
    }
  });
});
