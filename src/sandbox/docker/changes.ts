/**
 * What a container's root file system changed from its image (Docker's diff): the proof a reset is checked by.
 * Read from the container's overlay upper layer when this process can (as dockerd's native diff does, in
 * milliseconds), else asked of Docker, whose diff takes seconds on a loaded machine.
 */

import { lstat, readdir } from 'node:fs/promises';
import type Docker from 'dockerode';

const KINDS = ['C', 'A', 'D'];

interface Layers {
  readonly upper: string;
  readonly lowers: readonly string[];
}

const layersOf = new WeakMap<Docker.Container, Promise<Layers | undefined>>();

/** The container's changed paths as sorted `<kind> <path>` lines: C changed, A added, D deleted. */
export async function rootfsChanges(container: Docker.Container): Promise<string[]> {
  if (!layersOf.has(container)) layersOf.set(container, overlayLayers(container));
  const layers = await layersOf.get(container);
  const changes = layers ? await upperChanges(layers, '').catch(() => undefined) : undefined;
  return (changes ?? (await dockerChanges(container))).sort();
}

async function dockerChanges(container: Docker.Container): Promise<string[]> {
  const changes = ((await container.changes()) ?? []) as Array<{ Path: string; Kind: number }>;
  return changes.map((change) => `${KINDS[change.Kind] ?? change.Kind} ${change.Path}`);
}

/** The overlay2 directories of the container, when they are readable from here (a local daemon, run as root). */
async function overlayLayers(container: Docker.Container): Promise<Layers | undefined> {
  const { GraphDriver } = await container.inspect();
  const data = GraphDriver.Name === 'overlay2' ? (GraphDriver.Data as unknown as Record<string, string | undefined>) : undefined;
  if (!data?.UpperDir || !data.LowerDir) return undefined;
  const layers = { upper: data.UpperDir, lowers: data.LowerDir.split(':') };
  return (await readdir(layers.upper).then(
    () => true,
    () => false,
  ))
    ? layers
    : undefined;
}

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

/** Every entry of the upper layer under `dir`: a whiteout (0:0 character device) is a deletion. */
async function upperChanges(layers: Layers, dir: string): Promise<string[]> {
  const lines: string[] = [];
  for (const entry of await readdir(`${layers.upper}${dir}`, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isCharacterDevice() && (await lstat(`${layers.upper}${path}`)).rdev === 0) {
      lines.push(`D ${path}`);
      continue;
    }
    const inImage = (await Promise.all(layers.lowers.map((lower) => exists(`${lower}${path}`)))).some(Boolean);
    lines.push(`${inImage ? 'C' : 'A'} ${path}`);
    if (entry.isDirectory()) lines.push(...(await upperChanges(layers, path)));
  }
  return lines;
}
