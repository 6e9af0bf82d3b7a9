import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type Keys, NuboError, type Store, type Token, type User } from '@nubo/shared';

/** A new secret: shown to its owner once, stored only as its SHA-256. */
export function newSecret(): string {
  return `nubo_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A token record for a user plus the secret to hand out; the caller puts the record in its transaction. */
export function mintToken(userId: string): { secret: string; token: Token } {
  const secret = newSecret();
  const hash = hashSecret(secret);
  return { secret, token: { id: randomUUID(), userId, hash, createdAt: new Date().toISOString() } };
}

/** What a token list or a create returns: never the hash. */
export function publicToken(token: Token): Omit<Token, 'hash'> {
  const { hash: _hash, ...rest } = token;
  return rest;
}

/** Creates a user with a token in one transaction; the user name must be free. */
export async function createUserWithToken(
  store: Store,
  keys: Keys,
  input: { name: string; email?: string; role: User['role'] },
): Promise<{ user: User; secret: string; tokenId: string }> {
  const user: User = {
    id: randomUUID(),
    name: input.name,
    role: input.role,
    createdAt: new Date().toISOString(),
    ...(input.email ? { email: input.email } : {}),
  };
  const { secret, token } = mintToken(user.id);
  const txn = store
    .txn()
    .create(keys.userNames.one(user.name), user.id)
    .create(keys.users.one(user.id), user)
    .create(keys.tokens.one(token.hash), token);
  try {
    await txn.commit();
  } catch (err) {
    if (err instanceof NuboError && err.code === 'NUBO_CONFLICT') {
      throw new NuboError('NUBO_ALREADY_EXISTS', `a user named ${user.name} already exists`, {
        details: [{ field: '/name', message: 'is taken' }],
      });
    }
    throw err;
  }
  return { user, secret, tokenId: token.id };
}
