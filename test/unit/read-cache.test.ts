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
    cache.delete('k');
    finish('old');
    expect(await slow).toBe('old');
    expect(await cache.getOrLoad('k', async () => 'new')).toBe('new');
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
