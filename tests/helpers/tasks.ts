/**
 * Pick how tests run a catalog task: the first of its default and its variants whose data is present and which
 * states a reduced-scale baseline (cifar10 -> cifar10:sample; languageModeling stays on its stand-in even where
 * FineWeb shards are present, since that variant has no measured baseline).
 */

import { primaryMetric } from '../../src/config/index.js';
import { baselineScores, loadDataset, missingUserData, selectVariant } from '../../src/tasks/index.js';

export function runnableRef(id: string): string | undefined {
  const candidates = [`${id}:default`, ...Object.keys(selectVariant(`${id}:default`).config.variants).map((variant) => `${id}:${variant}`)];
  return candidates.find((ref) => {
    const { config } = selectVariant(ref);
    const dataPresent = config.dataset_configs.every((dataset) => missingUserData(loadDataset(dataset)).length === 0);
    return dataPresent && baselineScores(config, 'reduced')?.[primaryMetric(config).name] !== undefined;
  });
}
