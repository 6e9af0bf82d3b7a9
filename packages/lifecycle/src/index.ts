/** @nubo/lifecycle: scrub queue, billing by SKU, events and notifications (docs/lifecycle.md). */
export { type Bill, type BillLine, BillQuery, type BillResource, computeBill } from './bill.js';
export {
  type BillingMode,
  networkBomLines,
  SKU,
  sameLines,
  VM_BOM,
  vmBillingMode,
  vmBomLines,
} from './bom.js';
export { LifecycleConfig } from './config.js';
export { deriveNetwork, deriveSshKey } from './derive-others.js';
export { deriveFloatingIp, deriveVpnTunnel } from './derive-podnet.js';
export { deriveVm, vmActor } from './derive-vm.js';
export { type Derived, type NotificationDraft, TEMPLATES, type TemplateName } from './derived.js';
export { DEFAULT_EVENTS_LIMIT, EventsQuery, listEvents, pruneEvents } from './events.js';
export { Follower } from './follower.js';
export { type LifecycleHandlers, lifecycleHandlers } from './handlers.js';
export { releaseHolds } from './holds.js';
export { formatCents, formatMicro, parseMoney } from './money.js';
export { Notifier } from './notify/notifier.js';
export { DEFAULT_TEMPLATES, loadTemplates, render } from './notify/templates.js';
export { Cursor, Notification } from './outbox.js';
export { assertRestorable, type Restorable, restoreVm } from './restore.js';
export { type ScrubReport, scrubOnce } from './scrub.js';
export { type LifecycleDeps, LifecycleService } from './service.js';
export { addPrice, createSku, EPOCH, getSku, listSkus, type PriceSegment, priceSegments } from './skus.js';
export { defaultSources, type Source } from './sources.js';
