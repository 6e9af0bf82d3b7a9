import { describe, expect, it } from 'vitest';
import { Backoff } from '../src/backoff.js';

describe('Backoff', () => {
  it('doubles from the first wait up to the cap, and starts over after reset', () => {
    const b = new Backoff(250, 5_000);
    expect(Array.from({ length: 7 }, () => b.next())).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    b.reset();
    expect(b.next()).toBe(250);
  });
});
