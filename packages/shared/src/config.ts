import { readFileSync } from 'node:fs';
import type { Static, TObject } from '@sinclair/typebox';
import { NuboError } from './errors.js';
import { validate } from './validate.js';

export interface ConfigSource {
  /** A JSON file; missing is fine when `file` was not asked for explicitly. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Env names are this prefix + the key in upper snake case: `etcdEndpoints` → `NUBO_ETCD_ENDPOINTS`. */
  envPrefix?: string;
  /** Values the caller fixes (command-line flags); they win over env and file. */
  overrides?: Record<string, unknown>;
}

/**
 * Loads a service's configuration in stages: defaults from the schema's
 * `default`s, then the file, then the environment, then overrides; validated
 * once and frozen. A bad value is NUBO_CONFIG naming the key and where it came from.
 */
export function loadConfig<S extends TObject>(schema: S, source: ConfigSource = {}): Readonly<Static<S>> {
  const merged: Record<string, unknown> = {
    ...defaultsOf(schema),
    ...readFileConfig(source.file),
    ...readEnvConfig(schema, source.env ?? process.env, source.envPrefix ?? 'NUBO_'),
    ...(source.overrides ?? {}),
  };
  return Object.freeze(validate(schema, merged, 'NUBO_CONFIG', 'config'));
}

function defaultsOf(schema: TObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema.properties)) {
    if (prop.default !== undefined) out[key] = structuredClone(prop.default);
  }
  return out;
}

function readFileConfig(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new NuboError('NUBO_CONFIG', `cannot read config file ${file}`, { cause });
  }
}

export function envName(prefix: string, key: string): string {
  return prefix + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function readEnvConfig(schema: TObject, env: NodeJS.ProcessEnv, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema.properties)) {
    const raw = env[envName(prefix, key)];
    if (raw === undefined) continue;
    out[key] = fromEnv(raw, prop.type as string | undefined);
  }
  return out;
}

/** Env values are text: numbers and booleans are parsed, arrays are comma separated. */
function fromEnv(raw: string, type: string | undefined): unknown {
  if (type === 'integer' || type === 'number') return raw.trim() === '' ? raw : Number(raw);
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (type === 'array')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return raw;
}
