/** @nubo/lifecycle: see docs/lifecycle.md. The real surface grows with its issue. */
export const PACKAGE = '@nubo/lifecycle';
