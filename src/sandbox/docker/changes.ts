/** What a container's root file system changed from its image (Docker's diff): the proof a reset is checked by. */

import type Docker from 'dockerode';

/** TODO(clean reset): the container's changed paths. */
export async function rootfsChanges(_container: Docker.Container): Promise<string[]> {
  throw new Error('rootfsChanges is not implemented yet');
}
