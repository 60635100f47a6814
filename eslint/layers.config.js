// Only the layering rule (eslint/layers.js), without type information: fast
// enough for a unit test to lint all of src/ with it. `npm run lint` runs the
// same blocks inside eslint.config.js.
import tseslint from 'typescript-eslint';
import { layerConfigs } from './layers.js';

export default tseslint.config(
  { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { '@typescript-eslint': tseslint.plugin } },
  ...layerConfigs(),
);
