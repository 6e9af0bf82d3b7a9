/** The answer of `GET /v1/instance` (docs/metadata.md), as much of it as the agent uses. */
export interface Instance {
  instanceId: string;
  hostname: string;
  sshKeys: { id: string; name: string; publicKey: string }[];
  userData: string | null;
}

const INSTANCE_ID = /^[0-9a-f-]{36}$/;
const HOSTNAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Checks the fields the agent relies on, so a bad answer changes nothing on disk. */
export function checkInstance(value: unknown): Instance {
  const v = value as Partial<Instance> | null;
  if (!v || typeof v !== 'object') throw new Error('metadata answer is not an object');
  if (typeof v.instanceId !== 'string' || !INSTANCE_ID.test(v.instanceId)) {
    throw new Error('metadata answer: instanceId is not a UUID');
  }
  if (typeof v.hostname !== 'string' || !HOSTNAME.test(v.hostname)) {
    throw new Error('metadata answer: hostname is not a valid host name');
  }
  if (!Array.isArray(v.sshKeys) || v.sshKeys.some((k) => !isKeyLine(k?.publicKey))) {
    throw new Error('metadata answer: sshKeys must be single-line public keys');
  }
  if (v.userData !== null && v.userData !== undefined && typeof v.userData !== 'string') {
    throw new Error('metadata answer: userData must be text');
  }
  return { instanceId: v.instanceId, hostname: v.hostname, sshKeys: v.sshKeys, userData: v.userData ?? null };
}

/** One line, no marker look-alikes: a key must never break the managed block. */
function isKeyLine(key: unknown): boolean {
  return typeof key === 'string' && key.length > 0 && !/[\r\n\0]/.test(key) && !key.startsWith('#');
}
