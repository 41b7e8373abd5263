/** Shared zod field schemas: relative paths that stay inside their folder, and identifiers. */
import { z } from 'zod';

/** A relative path that stays inside the folder it is relative to (no absolute paths, no `..` escapes). */
export const insidePath = z
  .string()
  .min(1)
  .refine((path) => !path.startsWith('/') && !path.split('/').includes('..'), {
    message: 'a relative path inside the task or dataset folder (no leading "/", no "..")',
  });

export const identifier = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'an identifier: a letter, then letters, digits, "_" or "-"');
