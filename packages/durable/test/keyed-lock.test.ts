import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedLock } from '../src';

describe('KeyedLock', () => {
  it('runs the sections of one key one after another, in the order they came', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const section = (name: string, ms: number) =>
      lock.run('record-1', async () => {
        order.push(`${name} in`);
        await sleep(ms);
        order.push(`${name} out`);
        return name;
      });
    assert.deepEqual(await Promise.all([section('a', 20), section('b', 1), section('c', 5)]), ['a', 'b', 'c']);
    assert.deepEqual(order, ['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });

  it('lets sections of different keys overlap', async () => {
    const lock = new KeyedLock();
    let inside = 0;
    let most = 0;
    const section = (key: string) =>
      lock.run(key, async () => {
        most = Math.max(most, ++inside);
        await sleep(10);
        inside--;
      });
    await Promise.all([section('x'), section('y'), section('z')]);
    assert.equal(most, 3);
  });

  it('releases the key when a section throws, and passes the error to its caller only', async () => {
    const lock = new KeyedLock();
    const failed = lock.run('k', async () => {
      throw new Error('disk full');
    });
    const next = lock.run('k', async () => 'ran');
    await assert.rejects(failed, /disk full/);
    assert.equal(await next, 'ran');
  });
});
