import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, envName, loadConfig, Type } from '../src/index.js';

const Schema = Type.Object(
  {
    etcdEndpoints: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      default: ['http://127.0.0.1:2379'],
    }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 8080 }),
    verbose: Type.Boolean({ default: false }),
    name: Type.String({ default: 'api' }),
  },
  { additionalProperties: false },
);

const dir = mkdtempSync(join(tmpdir(), 'nubo-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('applies defaults, then the file, then env, then overrides, and freezes the result', () => {
    const file = join(dir, 'a.json');
    writeFileSync(file, JSON.stringify({ port: 9000, name: 'from-file' }));
    const config = loadConfig(Schema, {
      file,
      env: { NUBO_NAME: 'from-env', NUBO_ETCD_ENDPOINTS: 'http://a:1, http://b:2', NUBO_VERBOSE: 'true' },
      overrides: { port: 9100 },
    });
    expect(config).toEqual({
      etcdEndpoints: ['http://a:1', 'http://b:2'],
      port: 9100,
      verbose: true,
      name: 'from-env',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses a bad value with NUBO_CONFIG naming the key', () => {
    expect(() => loadConfig(Schema, { env: { NUBO_PORT: 'eighty' } })).toThrow(
      expect.objectContaining({
        code: 'NUBO_CONFIG',
        details: [expect.objectContaining({ field: '/port' })],
      }),
    );
    expect(() => loadConfig(Schema, { env: {}, overrides: { colour: 'blue' } })).toThrow(
      /colour|not a known field/,
    );
  });

  it('reports an unreadable file', () => {
    expect(() => loadConfig(Schema, { file: join(dir, 'missing.json'), env: {} })).toThrow(
      expect.objectContaining({ code: 'NUBO_CONFIG' }),
    );
  });

  it('names env variables in upper snake case', () => {
    expect(envName('NUBO_', 'etcdEndpoints')).toBe('NUBO_ETCD_ENDPOINTS');
    expect(envName('NUBO_', 'reconcileIntervalMs')).toBe('NUBO_RECONCILE_INTERVAL_MS');
  });
});

describe('createLogger', () => {
  it('redacts tokens, passwords and authorization headers', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger('test', { destination: sink });
    log.info({ token: 's3cret-token', req: { headers: { authorization: 'Bearer s3cret-bearer' } } }, 'hello');
    log.info({ vpn: { psk: 's3cret-psk' }, user: { password: 's3cret-pw' } }, 'again');
    const text = lines.join('');
    expect(text).toContain('hello');
    expect(text).not.toMatch(/s3cret/);
    expect(text).toContain('[redacted]');
  });
});
