// One duty no component owns yet on a one-machine region, done here in the
// launcher and written down in docs/region.md: each project gets its router
// config (`routers/<project>`: an uplink address on the public /64, the
// gateway), created once, in a transaction that fails if someone else already
// wrote it. (Host bridges are the host daemon's own: network-attach.ts.)
import { follow, keyLayout, Project, type RouterConfig, type Store } from '@nubo/shared';
import type { RegionPlan } from './plan.js';

export class RegionGlue {
  private readonly abort = new AbortController();
  private readonly running: Promise<unknown>[] = [];
  private nextUplink = 2;

  constructor(
    private readonly store: Store,
    private readonly plan: RegionPlan,
    private readonly onError: (what: string, err: unknown) => void,
  ) {}

  start(): void {
    const keys = keyLayout();
    const { signal } = this.abort;
    this.running.push(
      follow(this.store, keys.projects.prefix, { schema: Project, signal }, (ev) => {
        const projects = ev.type === 'reset' ? ev.entries : ev.type === 'put' ? [ev.entry] : [];
        for (const { value } of projects)
          void this.routerFor(value.id).catch((e) => this.onError('router', e));
      }).catch((e) => this.onError('projects watch', e)),
    );
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.running);
  }

  private async routerFor(projectId: string): Promise<void> {
    const key = keyLayout().routers.one(projectId);
    if (await this.store.get(key)) return;
    const base = this.plan.publicGateway.replace(/::1$/, '::');
    const router: RouterConfig = {
      projectId,
      uplinkIpv6: `${base}${(this.nextUplink++).toString(16)}/64`,
      gatewayIpv6: this.plan.publicGateway,
      dns: [],
      createdAt: new Date().toISOString(),
    };
    await this.store
      .txn()
      .create(key, router)
      .commit()
      .catch(() => undefined);
  }
}
