/** Regenerates plans/plan.schema.json from the zod schema (`npm run schema`). */
import { writeFile } from 'node:fs/promises';
import { planJsonSchema } from '../src/plan/schema.js';

const target = new URL('../plans/plan.schema.json', import.meta.url);
await writeFile(target, `${JSON.stringify(planJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target.pathname}\n`);
