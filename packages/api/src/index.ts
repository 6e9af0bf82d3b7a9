/** @nubo/api: the region REST API. `buildApi` makes the fastify app; `main.ts` listens. */
export { buildApi } from './app.js';
export { ApiConfig, loadApiConfig } from './config.js';
export type { ApiContext, ApiDeps } from './context.js';
export { toNuboError } from './errors.js';
export { createUserWithToken, hashSecret, newSecret } from './tokens.js';
