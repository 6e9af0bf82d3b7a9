import protobuf from 'protobufjs/minimal.js';

interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
}
type ToString = (this: LongLike, radix?: number) => string;

const FAST = Symbol('nubo.fastInt64ToString');

/**
 * etcd3 decodes every int64 of every response (revisions, versions, lease and
 * member ids: 16 in a read of three keys) through protobufjs into long.js
 * objects, then makes each a decimal string with long.js's toString, which
 * divides in software: about 190 ns and a handful of objects per number. A
 * BigInt gives the same digits in about 30 ns. Installed once per process on
 * the long.js class protobufjs (and so etcd3) uses; other radixes keep
 * long.js's own code. docs/performance.md has the figures.
 */
export function installFastInt64Strings(): void {
  const Long = (protobuf.util as unknown as { Long?: { prototype: Record<PropertyKey, unknown> } }).Long;
  if (!Long || Long.prototype[FAST]) return;
  const original = Long.prototype.toString as ToString;
  const fast: ToString = function (this: LongLike, radix?: number): string {
    if (radix !== undefined && radix !== 10) return original.call(this, radix);
    // Below 2^31 (nearly every revision and version) the low word is the number.
    if (this.high === 0 && this.low >= 0) return String(this.low);
    const bits = (BigInt(this.high >>> 0) << 32n) | BigInt(this.low >>> 0);
    return (this.unsigned ? bits : BigInt.asIntN(64, bits)).toString();
  };
  Long.prototype.toString = fast;
  Long.prototype[FAST] = true;
}
