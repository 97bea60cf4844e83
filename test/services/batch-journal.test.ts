import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { TaskJournal } from '../../services/batch/task-journal';
import { tempDir } from '../helpers/platform';

describe('a batch task\'s journal', () => {
  it('gives back every entry that was acknowledged, and cuts off a line torn by a kill', async () => {
    const file = path.join(await tempDir('journal'), 'journal.jsonl');
    const { journal } = await TaskJournal.open(file);
    await Promise.all([journal.append({ reserve: 256 }), journal.append({ i: 0, ok: true }), journal.append({ i: 1, ok: false, error: 'Download file failed' })]);
    await journal.close();
    // What a kill -9 in the middle of a write leaves: half a line, never acknowledged.
    await fs.appendFile(file, '{"i":2,"ok":tr');
    const reopened = await TaskJournal.open(file);
    assert.deepEqual(reopened.entries, [{ reserve: 256 }, { i: 0, ok: true }, { i: 1, ok: false, error: 'Download file failed' }]);
    await reopened.journal.append({ i: 2, ok: true });
    await reopened.journal.close();
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    assert.deepEqual(lines.slice(-2), ['{"i":2,"ok":true}', '']);
    const third = await TaskJournal.open(file);
    assert.equal(third.entries.length, 4);
    await third.journal.close();
  });
});
