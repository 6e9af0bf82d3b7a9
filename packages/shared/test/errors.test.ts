import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, NuboError } from '../src/index.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

describe('error registry', () => {
  it('documents every code with its HTTP status in docs/errors.md', () => {
    for (const [code, { status }] of Object.entries(ErrorCodes)) {
      expect(doc, `${code} is missing from docs/errors.md`).toMatch(
        new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`),
      );
    }
  });

  it('documents no code that does not exist', () => {
    const documented = [...doc.matchAll(/\|\s*`(NUBO_[A-Z0-9_]+)`\s*\|/g)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ErrorCodes).sort());
  });

  it('serialises to the one wire shape and keeps its cause', () => {
    const cause = new Error('disk full');
    const err = new NuboError('NUBO_VALIDATION', 'ram: bad', {
      details: [{ field: '/ram', message: 'bad' }],
      cause,
    });
    expect(err.toJSON()).toEqual({
      error: { code: 'NUBO_VALIDATION', message: 'ram: bad', details: [{ field: '/ram', message: 'bad' }] },
    });
    expect(err.status).toBe(400);
    expect(err.cause).toBe(cause);
    expect(err.name).toBe('NuboError');
  });
});
