import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReadCache } from '../../src/shared/read-cache.ts';

const enabled = <V>(ttlMs = 60_000, max = 100) => {
  const cache = new ReadCache<V>(ttlMs, max);
  cache.setEnabled(true);
  return cache;
};

afterEach(() => {
  vi.useRealTimers();
});

describe('ReadCache', () => {
  it('loads once, then answers from memory', async () => {
    const cache = enabled<string>();
    const load = vi.fn(async () => 'row');
    expect(await cache.getOrLoad('k', load)).toBe('row');
    expect(await cache.getOrLoad('k', load)).toBe('row');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('does not keep a value loaded while an invalidation happened (a read racing a write)', async () => {
    const cache = enabled<string>();
    let finish: (value: string) => void = () => {};
    const slow = cache.getOrLoad('k', () => new Promise<string>((resolve) => (finish = resolve)));
    cache.invalidate('k');
    finish('old');
    expect(await slow).toBe('old');
    expect(await cache.getOrLoad('k', async () => 'new')).toBe('new');
  });

  it('keeps an entry that already reflects the change an invalidation announces', async () => {
    const cache = enabled<{ version: number }>();
    await cache.getOrLoad('k', async () => ({ version: 3 }));
    // A late announcement of version 2 is not news to an entry at version 3.
    cache.invalidate('k', (cached) => cached.version < 2);
    expect(await cache.getOrLoad('k', async () => ({ version: 99 }))).toEqual({ version: 3 });
    cache.invalidate('k', (cached) => cached.version < 4);
    expect(await cache.getOrLoad('k', async () => ({ version: 4 }))).toEqual({ version: 4 });
  });

  it('puts a written value unless its key changed since the stamp in a way the value does not reflect', () => {
    const cache = enabled<{ version: number }>();
    const load = async () => ({ version: 0 });
    let stamp = cache.stamp();
    cache.invalidate('a', (cached) => cached.version < 5); // the writer's own change
    cache.putIfCurrent('a', { version: 5 }, stamp);
    expect(cache.size).toBe(1);

    stamp = cache.stamp();
    cache.invalidate('b', (cached) => cached.version < 6); // someone else's later change
    cache.putIfCurrent('b', { version: 5 }, stamp);
    expect(cache.size).toBe(1);
    return expect(cache.getOrLoad('b', load)).resolves.toEqual({ version: 0 });
  });

  it('bounds what it remembers of changes; a value read before the forgotten ones is not kept', () => {
    const cache = enabled<number>(60_000, 2);
    const stamp = cache.stamp();
    for (const key of ['a', 'b', 'c']) cache.invalidate(key);
    cache.putIfCurrent('z', 1, stamp);
    expect(cache.size).toBe(0);
    cache.putIfCurrent('z', 1, cache.stamp());
    expect(cache.size).toBe(1);
  });

  it('keeps nothing while disabled, and forgets everything when toggled', async () => {
    const cache = new ReadCache<string>(60_000, 100);
    const load = vi.fn(async () => 'row');
    await cache.getOrLoad('k', load);
    await cache.getOrLoad('k', load);
    expect(load).toHaveBeenCalledTimes(2);
    cache.setEnabled(true);
    await cache.getOrLoad('k', load);
    expect(cache.size).toBe(1);
    cache.setEnabled(false);
    expect(cache.size).toBe(0);
  });

  it('does not keep misses', async () => {
    const cache = enabled<string>();
    const load = vi.fn(async () => undefined);
    await cache.getOrLoad('k', load);
    await cache.getOrLoad('k', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('reloads after the backstop age, and drops the oldest entry when full', async () => {
    vi.useFakeTimers();
    const cache = enabled<number>(1_000, 2);
    let n = 0;
    const load = async () => ++n;
    expect(await cache.getOrLoad('a', load)).toBe(1);
    vi.advanceTimersByTime(1_001);
    expect(await cache.getOrLoad('a', load)).toBe(2);
    await cache.getOrLoad('b', load);
    await cache.getOrLoad('c', load);
    expect(cache.size).toBe(2);
    expect(await cache.getOrLoad('a', load)).toBe(5);
  });
});
