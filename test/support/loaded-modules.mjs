// Preloaded with `node --import` (or NODE_OPTIONS): appends to the file named by
// SPLIT_ROLE_MODULE_LOG every module the process loads, one path or URL a line.
// ES modules are seen by a resolve hook (in the hooks thread, which writes as it
// resolves); CommonJS ones, which the SDK's packages are, from require's cache at exit.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { URL } from 'node:url';

const log = process.env.SPLIT_ROLE_MODULE_LOG;
if (log) {
  register(new URL('./loaded-modules-hooks.mjs', import.meta.url), { data: { log } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const loaded = Object.keys(require.cache);
    if (loaded.length > 0) appendFileSync(log, loaded.join('\n') + '\n');
  });
}
