/** Regenerates plans/plan.schema.json from the zod schema, and the reference pages generated from the code (`npm run schema`). */
import { readFile, writeFile } from 'node:fs/promises';
import { planJsonSchema } from '../src/plan/schema.js';
import { layersBlock, referencePages, withLayersBlock } from './reference-docs.js';

const target = new URL('../plans/plan.schema.json', import.meta.url);
await writeFile(target, `${JSON.stringify(planJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target.pathname}\n`);

for (const page of referencePages()) {
  const file = new URL(`../${page.path}`, import.meta.url);
  await writeFile(file, page.text);
  process.stdout.write(`wrote ${file.pathname}\n`);
}
const architecture = new URL('../docs/architecture.md', import.meta.url);
await writeFile(architecture, withLayersBlock(await readFile(architecture, 'utf8'), await layersBlock()));
process.stdout.write(`wrote ${architecture.pathname} (the layer table)\n`);
