/** The CodePipeline pipeline kind: everything it contributes, as one registry entry. */
import { defineKind } from '../kind.js';
import { pipelineAdapter } from './adapter.js';
import { pipelineMove } from './schema.js';

/** CodePipeline pipelines, moved by UpdatePipeline (the pipeline's role and its actions' that name the shared role). */
export const pipeline = defineKind({
  schema: pipelineMove,
  adapter: pipelineAdapter,
  followUpKinds: [],
  sessionShapes: [],
  baselines: [],
  errorCodes: {},
  iamActions: {
    discover: ['codepipeline:ListPipelines', 'codepipeline:GetPipeline'],
    apply: ['codepipeline:UpdatePipeline'],
  },
});
