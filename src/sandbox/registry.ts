/**
 * Sandbox backends by name, loaded lazily (a backend's client library is imported only when it is chosen).
 * `docker` is registered here; another backend registers itself without the generator or the CLI changing.
 */

import { InvalidArgumentError } from '../errors.js';
import type { Sandbox, SandboxBackend, SandboxCreateParams } from './sandbox.js';

export const DEFAULT_SANDBOX_BACKEND = 'docker';

type BackendLoader = () => Promise<SandboxBackend>;

const loaders = new Map<string, BackendLoader>();
const loaded = new Map<string, Promise<SandboxBackend>>();

/** Make a backend choosable by `name`; the loader runs once, on first use. */
export function registerSandboxBackend(name: string, loader: BackendLoader): void {
  loaders.set(name, loader);
  loaded.delete(name);
}

export function sandboxBackendNames(): string[] {
  return [...loaders.keys()].sort();
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The backend registered as `name` (one instance per process). Unknown names list the known ones. */
export function sandboxBackend(name: string = DEFAULT_SANDBOX_BACKEND): Promise<SandboxBackend> {
  const loader = loaders.get(name);
  if (!loader) {
    const names = sandboxBackendNames();
    const closest = names.map((known) => ({ known, distance: editDistance(name, known) })).sort((a, b) => a.distance - b.distance)[0];
    const hint = closest && closest.distance <= 2 ? ` Did you mean "${closest.known}"?` : '';
    throw new InvalidArgumentError(`unknown sandbox backend "${name}": expected one of ${names.join(', ')}.${hint}`);
  }
  let backend = loaded.get(name);
  if (!backend) {
    backend = loader();
    loaded.set(name, backend);
  }
  return backend;
}

/** Create a sandbox on the default backend. */
export async function createSandbox(params: SandboxCreateParams): Promise<Sandbox> {
  return (await sandboxBackend()).create(params);
}

registerSandboxBackend('docker', async () => new (await import('./docker/index.js')).DockerBackend());
