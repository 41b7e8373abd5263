/** Pick how tests run a catalog task: its default variant, or one whose data is present (cifar10 -> cifar10:sample). */

import { loadDataset, missingUserData, selectVariant } from '../../src/tasks/index.js';

export function runnableRef(id: string): string | undefined {
  const runnable = (ref: string) => selectVariant(ref).config.dataset_configs.every((dataset) => missingUserData(loadDataset(dataset)).length === 0);
  if (runnable(id)) return id;
  const variants = Object.keys(selectVariant(id).config.variants);
  return variants.map((variant) => `${id}:${variant}`).find(runnable);
}
