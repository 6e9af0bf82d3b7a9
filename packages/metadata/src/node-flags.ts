/**
 * How the service's Node is started. A young generation of 64 MiB per
 * semi-space (V8's default is 16): every answer allocates a little, so under a
 * boot storm a small young generation means a scavenge every few thousand
 * requests, each a pause beside a large long-lived heap (the index: 10,000
 * VMs ≈ 70 MB). Measured with 10,000 VMs at 16 connections: 16–19k → 20k
 * requests/s (docs/performance.md). Costs up to 3 × 64 MiB of young-generation
 * memory, used only under load.
 */
export const METADATA_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
