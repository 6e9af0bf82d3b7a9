import {
  type Entry,
  type Image,
  isNuboError,
  type Keys,
  type Network,
  NuboError,
  readMany,
  type Store,
  type Vm,
} from '@nubo/shared';
import type { DomainNic, DomainSpec } from './driver.js';
import type { KnownEntries } from './handlers.js';
import type { ImageSource, ResolvedImage } from './image-source.js';

export interface SpecSources {
  store: Store;
  keys: Keys;
  images: ImageSource;
  /** The bridge that carries a network on this host, if any; may make it first (network-attach.ts). */
  bridgeFor: (network: Network) => string | undefined | Promise<string | undefined>;
  /** Reads keys in one round-trip (default `readMany`; a fleet batches them with other hosts' reads). */
  read?: (keys: string[]) => Promise<(Entry<unknown> | undefined)[]>;
}

/**
 * Everything the driver needs for one VM, read from etcd (image and networks
 * in one round-trip, or none when the claim read them: `known`) and the
 * host's image store (importing the base image the first time it is needed).
 * `sizes` overrides the VM's own (a resize).
 */
export async function resolveSpec(
  src: SpecSources,
  vm: Vm,
  sizes: Pick<Vm, 'cpus' | 'ramMiB' | 'diskGiB'> = vm,
  known?: KnownEntries,
): Promise<DomainSpec> {
  const keys = [src.keys.images.one(vm.imageId), ...vm.nics.map((n) => src.keys.networks.one(n.networkId))];
  const entries = keys.every((k) => known?.has(k))
    ? keys.map((k) => known!.get(k))
    : src.read
      ? await src.read(keys)
      : (await readMany(src.store, keys)).entries;
  const image = entries[0] as Entry<Image> | undefined;
  if (!image) throw new NuboError('NUBO_NOT_FOUND', `image ${vm.imageId} does not exist`);
  const base = await baseImage(src.images, image.value);
  const nics: DomainNic[] = await Promise.all(
    vm.nics.map(async (nic, i) => {
      const network = entries[i + 1]?.value as Network | undefined;
      const bridge = network ? await src.bridgeFor(network) : undefined;
      return { mac: nic.mac, networkId: nic.networkId, ...(bridge ? { bridge } : {}) };
    }),
  );
  return {
    vmId: vm.id,
    hostname: vm.name,
    cpus: sizes.cpus,
    ramMiB: sizes.ramMiB,
    diskGiB: sizes.diskGiB,
    image: { id: image.value.id, path: base.path, format: base.format },
    nics,
  };
}

async function baseImage(images: ImageSource, image: Image): Promise<ResolvedImage> {
  try {
    return await images.resolve(image.id);
  } catch (err) {
    if (!isNuboError(err, 'NUBO_NOT_FOUND')) throw err;
  }
  const { id, source, format, sha256 } = image;
  return images.import({ id, source, format, ...(sha256 ? { sha256 } : {}) });
}
