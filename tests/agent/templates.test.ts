import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultTemplates, renderTemplate } from '../../src/agent/index.js';

test("templates take MLGym's variables and end with MLGym's footer", () => {
  const variables = { current_step: 3, remaining_steps: 47, open_file: 'n/a', working_dir: '/home/agent/workspace', observation: 'ok {not a placeholder}' };
  assert.equal(
    renderTemplate(defaultTemplates().nextStep, variables),
    'ok {not a placeholder}\n(Current Step: 3, Remaining Steps: 47)\n(Open file: n/a)\n(Current directory: /home/agent/workspace)\nbash-$',
  );
  assert.match(renderTemplate(defaultTemplates('xml').formatError, {}), /<command>\nthe command to run\n<\/command>/);
  assert.throws(() => renderTemplate('{missing}', {}), /placeholder \{missing\} has no value/);
  assert.equal(renderTemplate('{{literal}} {x}', { x: 1 }), '{literal} 1');
});
