import { keyLayout, type Logger, type Store } from '@nubo/shared';
import type { PodnetConfig } from '../config.js';
import { listNamespaces } from '../linux/netns.js';
import { namespaceName, projectOfNamespace } from '../names.js';
import { applyRouter, removeRouter } from '../router/apply.js';
import type { Changes } from '../router/apply-links.js';
import { desiredRouter } from '../router/desired.js';
import { follow } from './follow.js';
import { ReconcileQueue } from './queue.js';
import { type Kind, RegionView, watchedKinds } from './region-view.js';

/**
 * PodNet's daemon: follows the records routers depend on, and reconciles each
 * project's router when one of them changes, every `reconcileIntervalMs`
 * (repairing drift), and at start (so a rebooted appliance comes back).
 */
export class PodnetDaemon {
  private readonly view: RegionView;
  private readonly kinds;
  private readonly follows: { stop: () => void; done: Promise<void> }[] = [];
  private readonly queue: ReconcileQueue;
  private timer: NodeJS.Timeout | undefined;
  /** What the last reconcile of each project changed (for logs and tests). */
  readonly lastChanges = new Map<string, Changes>();

  constructor(
    private readonly store: Store,
    private readonly config: PodnetConfig,
    private readonly log: Logger,
  ) {
    this.kinds = watchedKinds(keyLayout(config.etcdPrefix));
    this.view = new RegionView(this.kinds, (key) =>
      log.warn({ key, code: 'NUBO_STORE_CORRUPT' }, 'record does not match its schema; ignored'),
    );
    this.queue = new ReconcileQueue((id) => this.reconcile(id), log);
  }

  /** Follows etcd; reconciling starts once every kind has been listed, never on a partial view. */
  async start(): Promise<void> {
    const synced = new Set<Kind>();
    let ready!: () => void;
    const allSynced = new Promise<void>((r) => {
      ready = r;
    });
    for (const kind of Object.keys(this.kinds) as Kind[]) {
      const f = follow(
        this.store,
        this.kinds[kind].prefix,
        (ev) => {
          const touched =
            ev.type === 'reset'
              ? this.view.reset(kind, ev.entries)
              : ev.type === 'put'
                ? this.view.put(kind, ev.key, ev.entry.value)
                : this.view.delete(kind, ev.key);
          if (ev.type === 'reset' && synced.add(kind).size === Object.keys(this.kinds).length) ready();
          if (synced.size === Object.keys(this.kinds).length) for (const p of touched) this.queue.add(p);
        },
        (err) => this.log.warn({ err, kind }, 'watch failed; listing again'),
        (key, err) => this.log.warn({ err, key }, 'record is not JSON; its last good value is kept'),
      );
      this.follows.push(f);
    }
    await allSynced;
    await this.reconcileAll();
    this.timer = setInterval(() => void this.reconcileAll(), this.config.reconcileIntervalMs);
  }

  /** Stops following etcd; routers stay as they are (a restarted daemon takes them over). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const f of this.follows) f.stop();
    await Promise.all(this.follows.map((f) => f.done));
    await this.queue.drain();
  }

  /** Every router that should exist, and every one of ours (by namespace prefix) that should not. */
  async reconcileAll(): Promise<void> {
    const wanted = new Set(this.view.routedProjects());
    for (const ns of await listNamespaces()) {
      const project = projectOfNamespace(this.config.namespacePrefix, ns);
      if (project && !wanted.has(project)) this.queue.add(project);
    }
    for (const id of wanted) this.queue.add(id);
    await this.queue.idle();
  }

  /** Waits until no reconcile is pending or running. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async reconcile(projectId: string): Promise<void> {
    const snapshot = this.view.snapshot(projectId);
    const namespace = namespaceName(this.config.namespacePrefix, projectId);
    if (!snapshot) {
      await removeRouter(namespace, projectId, this.config);
      this.lastChanges.delete(projectId);
      return;
    }
    const changes = await applyRouter(desiredRouter(snapshot, this.config), this.config.runDir);
    this.lastChanges.set(projectId, changes);
    if (changes.length > 0) this.log.info({ project: projectId, changes }, 'router reconciled');
  }
}
