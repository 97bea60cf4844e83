import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawnPlatform } from '../helpers/process-platform';
import { tempDir } from '../helpers/platform';

describe('stopping the platform with Ctrl-C', function () {
  this.timeout(60_000);

  it('stops its children in order and warns of no restart: a terminal\'s SIGINT goes to the whole process group', async () => {
    const p = await spawnPlatform({ DATA_DIR: await tempDir('ctrl-c') }, 30_000, { ownGroup: true });
    const exited = once(p.child, 'exit');
    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
    process.kill(-p.child.pid!, 'SIGINT');
    const [code, signal] = await exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, p.output());
    assert.doesNotMatch(p.output(), /starting it again|restart/i, p.output());
    assert.doesNotMatch(p.output(), /killed by SIGINT/, p.output());
  });
});
