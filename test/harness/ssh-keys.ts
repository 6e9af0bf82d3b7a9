import ssh2 from 'ssh2';

/**
 * An ed25519 key pair from ssh2, as its parser reads it. ssh2's generator
 * strips every leading zero byte of the public key, so about one pair in 256
 * comes out malformed and its own parseKey refuses it (mscdex/ssh2#1390,
 * #1513); such a pair is thrown away and another made.
 */
export function ed25519KeyPair(comment?: string): ssh2.utils.KeyPairReturn {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', comment === undefined ? {} : { comment });
    const readable = [pair.public, pair.private].every((k) => !(ssh2.utils.parseKey(k) instanceof Error));
    if (readable) return pair;
  }
}
