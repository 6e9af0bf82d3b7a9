/** @nubo/host: see docs/architecture.md. The real surface grows with its issue. */
export const PACKAGE = '@nubo/host';
