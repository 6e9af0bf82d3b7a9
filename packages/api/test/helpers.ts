import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApi, createUserWithToken, loadApiConfig } from '@nubo/api';
import { createLogger, type Keys, keyLayout, Store } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';

export interface Reply {
  status: number;
  body: any;
  headers: Record<string, unknown>;
}

/** One API on a real etcd, with an admin; `logs` collects every log line the API wrote. */
export class TestApi {
  private constructor(
    readonly app: FastifyInstance,
    readonly store: Store,
    readonly keys: Keys,
    readonly adminToken: string,
    readonly logs: string[],
    readonly fileDir: string,
  ) {}

  static async start(etcd: EtcdCluster, overrides: Record<string, unknown> = {}): Promise<TestApi> {
    const prefix = uniquePrefix('api');
    const fileDir = await mkdtemp(join(tmpdir(), 'nubo-files-'));
    const config = loadApiConfig(
      { etcdEndpoints: etcd.endpoints, prefix, fileStoreDir: fileDir, ...overrides },
      {},
    );
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('api', { level: 'info', destination: sink });
    const store = new Store({ endpoints: etcd.endpoints });
    const keys = keyLayout(prefix);
    const app = await buildApi({ store, keys, config, logger });
    const admin = await createUserWithToken(store, keys, { name: 'admin', role: 'admin' });
    return new TestApi(app, store, keys, admin.secret, logs, fileDir);
  }

  async call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    token: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const res = await this.app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(body !== undefined
        ? typeof body === 'string'
          ? { payload: body }
          : { payload: body as object }
        : {}),
    });
    const text = res.body;
    return { status: res.statusCode, body: text ? safeJson(text) : undefined, headers: res.headers };
  }

  /** A member user with their own project; returns the user's token and the project id. */
  async tenant(
    name: string,
    quota?: Record<string, unknown>,
  ): Promise<{ token: string; userId: string; project: string }> {
    const made = await this.call('POST', '/v1/users', this.adminToken, { name });
    const token = made.body.token as string;
    const project = await this.call('POST', '/v1/projects', token, { name: `${name}-p` });
    const id = project.body.project.id as string;
    if (quota) await this.call('PUT', `/v1/projects/${id}/quota`, this.adminToken, quota);
    return { token, userId: made.body.user.id, project: id };
  }

  /** A ready public image made from a small raw file. */
  async publicImage(name = 'tiny'): Promise<string> {
    await this.call('PUT', `/v1/files/${name}.raw`, this.adminToken, Buffer.alloc(4096, 1), {
      'content-type': 'application/octet-stream',
    });
    const img = await this.call('POST', '/v1/images', this.adminToken, {
      name,
      format: 'raw',
      file: `${name}.raw`,
    });
    await this.waitFor(
      async () =>
        (await this.call('GET', `/v1/images/${img.body.image.id}`, this.adminToken)).body.image.state ===
        'ready',
    );
    return img.body.image.id as string;
  }

  async waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Every key under this API's prefix. */
  async allKeys(): Promise<string[]> {
    return (await this.store.list(this.keys.prefix)).entries.map((e) => e.key);
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.store.deletePrefix(this.keys.prefix);
    await this.store.close();
    await rm(this.fileDir, { recursive: true, force: true });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const json = { 'content-type': 'application/json' };

/**
 * A real etcd and one API for the test file, started before its tests and
 * removed after them; the returned function gives the API once it is up.
 */
export function useTestApi(): () => TestApi {
  let etcd: EtcdCluster | undefined;
  let api: TestApi | undefined;
  beforeAll(async () => {
    etcd = await EtcdCluster.start();
    api = await TestApi.start(etcd);
  });
  afterAll(async () => {
    await api?.close();
    await etcd?.dispose();
  });
  return () => {
    if (!api) throw new Error('the test API is not started yet');
    return api;
  };
}
