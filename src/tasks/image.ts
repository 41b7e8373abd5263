/**
 * The task image: the base image (or the task's `image`) plus labgym's evaluator helpers and the public files of
 * the task's datasets under /opt/labgym/data/<dataset>, root-owned. Hidden files are never in it. Built with
 * buildTaskImage, so the tag is a content hash and an unchanged image is reused.
 */

import { copyFile, cp, link, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assetPath } from '../assets.js';
import { sandboxBackend } from '../sandbox/index.js';
import { defaultCacheDir, type PreparedDataset } from './datasets.js';

export const DATA_ROOT = '/opt/labgym/data';

/**
 * Tools the agent may use in its own sandbox but its submitted code not during an evaluation (the SAT solvers: a
 * threeSat heuristic must not solve the instance). Readable by the group `labgym-tools`, which the agent's shells
 * get and labgym_eval's worker (setpriv --clear-groups) does not; a read-only root file system rules out a chmod then.
 */
const EVALUATION_LOCKED_TOOLS = ['/usr/lib/python3/dist-packages/pycosat*', '/usr/lib/*/libpicosat*', '/usr/bin/picosat*'];
const TOOLS_RECIPE =
  'RUN groupadd --system labgym-tools && usermod -a -G labgym-tools agent && ' +
  `for f in ${EVALUATION_LOCKED_TOOLS.join(' ')}; do if [ -f "$f" ] && [ ! -L "$f" ]; then chgrp labgym-tools "$f" && chmod 750 "$f"; fi; done`;

async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) await linkTree(source, target);
    else await link(source, target).catch(() => copyFile(source, target));
  }
}

export async function buildImageForTask(params: {
  readonly taskId: string;
  readonly datasets: readonly PreparedDataset[];
  readonly baseImage?: string;
}): Promise<{ tag: string; built: boolean }> {
  // Beside the prepared data, so the data is hard-linked into the build context rather than copied.
  await mkdir(defaultCacheDir(), { recursive: true });
  const context = await mkdtemp(join(defaultCacheDir(), `.image-${params.taskId}-`));
  try {
    const lines = ['ARG BASE_IMAGE', 'FROM ${BASE_IMAGE}', 'COPY labgym_eval/ /usr/lib/python3/dist-packages/labgym_eval/', TOOLS_RECIPE];
    await cp(assetPath('eval/python/labgym_eval'), join(context, 'labgym_eval'), { recursive: true, filter: (path) => !path.includes('__pycache__') });
    for (const dataset of params.datasets) await linkTree(dataset.publicDir, join(context, 'data', dataset.id));
    if (params.datasets.length) lines.push(`COPY data/ ${DATA_ROOT}/`);
    await writeFile(join(context, 'Dockerfile'), `${lines.join('\n')}\n`);
    return await (await sandboxBackend()).buildImage({ name: `labgym/task-${params.taskId.toLowerCase()}`, contextDir: context, baseImage: params.baseImage });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}
