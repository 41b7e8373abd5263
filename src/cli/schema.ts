/** `labgym schema <name>`: the JSON Schema of a labgym file format, generated from its zod schema. */

import type { Command } from 'commander';
import { z } from 'zod';
import { datasetConfigSchema, taskConfigSchema } from '../config/index.js';
import { InvalidArgumentError } from '../errors.js';
import { EpisodeRecordSchema } from '../store/index.js';
import { printJson } from './output.js';

export const SCHEMAS: Record<string, z.ZodType> = {
  task: taskConfigSchema,
  dataset: datasetConfigSchema,
  episode: EpisodeRecordSchema,
};

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema <name>')
    .description(`print the JSON Schema of a file format (${Object.keys(SCHEMAS).join(', ')})`)
    .action((name: string) => {
      const schema = SCHEMAS[name];
      if (!schema) throw new InvalidArgumentError(`schema: expected one of ${Object.keys(SCHEMAS).join(', ')}, got ${JSON.stringify(name)}`);
      printJson(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
    });
}
