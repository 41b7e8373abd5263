/**
 * Task images: a Dockerfile folder built FROM the labgym base image (or, through the BASE_IMAGE build argument,
 * a registry image such as a CUDA one where a registry is reachable). The tag carries a hash of the folder and
 * the base image id, so an unchanged image is never rebuilt. Builds run with network mode none.
 */

import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { PrerequisiteError } from '../../errors.js';
import { hashTree } from '../../hash.js';
import { packHostPath, ROOT } from '../archive.js';
import { BASE_IMAGE } from '../base-image.js';
import type { ImageBuildParams, ImageBuildResult } from '../sandbox.js';
import { dockerClient, imageExists, requireImage } from './client.js';

/** Build the task image unless an image with the same content hash exists. */
export async function buildTaskImage(params: ImageBuildParams, docker: Docker = dockerClient()): Promise<ImageBuildResult> {
  const baseImage = params.baseImage ?? BASE_IMAGE;
  await requireImage(baseImage, docker);
  const base = await docker.getImage(baseImage).inspect();
  const hash = createHash('sha256').update(`${base.Id}\0`);
  await hashTree(hash, params.contextDir, '.');
  const tag = `${params.name}:${hash.digest('hex').slice(0, 12)}`;
  if (await imageExists(tag, docker)) return { tag, built: false };

  const context = await packHostPath(params.contextDir, ROOT);
  const stream = (await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
    t: tag,
    buildargs: { BASE_IMAGE: baseImage },
    networkmode: 'none',
    rm: true,
    forcerm: true,
    labels: { 'labgym.image': 'task', 'labgym.content-hash': tag.split(':')[1]! },
  })) as Readable;
  const events = await new Promise<Array<{ error?: string; stream?: string }>>((resolve, reject) =>
    docker.modem.followProgress(stream, (error, output) => (error ? reject(error) : resolve(output as Array<{ error?: string }>))),
  );
  const failure = events.find((event) => event.error);
  if (failure) {
    const log = events
      .map((event) => event.stream ?? '')
      .join('')
      .trim()
      .split('\n')
      .slice(-5)
      .join(' | ');
    throw new PrerequisiteError(`building ${tag} from ${params.contextDir} failed: ${failure.error} (${log})`);
  }
  return { tag, built: true };
}
