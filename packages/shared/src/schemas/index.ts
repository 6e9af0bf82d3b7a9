export * from './billing.js';
export * from './common.js';
export * from './event.js';
export * from './host.js';
export * from './request.js';
export * from './resources.js';
export * from './tenancy.js';
export * from './vm.js';
