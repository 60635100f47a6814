/** Writes docs/stackset/split-role-access.yaml from docs/iam/ (`npm run stackset`). */
import { writeFile } from 'node:fs/promises';
import { accessRoleTemplate } from './access-role-template.js';

const target = new URL('../docs/stackset/split-role-access.yaml', import.meta.url);
await writeFile(target, accessRoleTemplate());
process.stdout.write(`wrote ${target.pathname}\n`);
