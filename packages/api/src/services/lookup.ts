const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** References in requests are an id (a lower-case UUID) or a name. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
