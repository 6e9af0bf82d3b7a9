// ssh2's ed25519 generator drops the public key's leading zero bytes, so about
// one pair in 256 is refused by its own parser; the hyperv suite failed on it
// in CI. Tests take their pairs from ed25519KeyPair, which never hands one out.
import { ed25519KeyPair } from '@nubo/test';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';

describe('ed25519KeyPair', () => {
  it('hands out only pairs that ssh2 (and so the API) can read, where ssh2 alone does not', () => {
    const pairs = 3000; // ssh2 alone hands out no bad pair in 3,000 with odds below 1 in 100,000
    let unreadableFromSsh2 = 0;
    for (let i = 0; i < pairs; i++) {
      if (ssh2.utils.parseKey(ssh2.utils.generateKeyPairSync('ed25519').public) instanceof Error)
        unreadableFromSsh2++;
      const pair = ed25519KeyPair('t@test');
      expect(ssh2.utils.parseKey(pair.public)).not.toBeInstanceOf(Error);
      expect(ssh2.utils.parseKey(pair.private)).not.toBeInstanceOf(Error);
    }
    // The workaround is still needed: when ssh2 is fixed, this says so.
    expect(unreadableFromSsh2).toBeGreaterThan(0);
  });
});
