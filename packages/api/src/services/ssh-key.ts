import { createHash } from 'node:crypto';
import { fieldError } from '@nubo/shared';
import ssh2 from 'ssh2';

export interface ParsedKey {
  type: string;
  /** `type base64` without the comment, as it goes into authorized_keys. */
  publicKey: string;
  /** OpenSSH's fingerprint: `SHA256:` and the unpadded base64 of the key blob's SHA-256. */
  fingerprint: string;
}

/**
 * Reads one OpenSSH public key line. A private key is refused (and never
 * echoed back), as is anything ssh2's parser does not understand.
 */
export function parsePublicKey(text: string, field = '/publicKey'): ParsedKey {
  const line = text.trim();
  if (/PRIVATE KEY/.test(line)) {
    throw fieldError('NUBO_VALIDATION', field, 'is a private key; send the public key (the .pub file)');
  }
  if (line.includes('\n')) throw fieldError('NUBO_VALIDATION', field, 'must be a single public key line');
  const parsed = ssh2.utils.parseKey(line);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) {
    throw fieldError(
      'NUBO_VALIDATION',
      field,
      `is not an OpenSSH public key${key instanceof Error ? `: ${key.message}` : ''}`,
    );
  }
  if (key.isPrivateKey()) throw fieldError('NUBO_VALIDATION', field, 'is a private key; send the public key');
  const blob = key.getPublicSSH();
  const digest = createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
  return {
    type: key.type,
    publicKey: `${key.type} ${blob.toString('base64')}`,
    fingerprint: `SHA256:${digest}`,
  };
}
