/** The CodeBuild project kind: everything it contributes, as one registry entry. */
import { defineKind } from '../kind.js';
import { codeBuildProjectAdapter } from './adapter.js';
import { codeBuildProjectMove } from './schema.js';

/** CodeBuild projects, moved by UpdateProject serviceRole (from each project's next build). */
export const codeBuildProject = defineKind({
  schema: codeBuildProjectMove,
  adapter: codeBuildProjectAdapter,
  followUpKinds: [],
  // CodeBuild names a build's role session AWSCodeBuild-<build id>.
  sessionShapes: [{ workload: 'codebuild', pattern: /^AWSCodeBuild-/ }],
  baselines: [
    {
      // https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html: the service role writes the build's logs.
      workload: 'codebuild',
      why: 'CodeBuild: writing the build’s logs to CloudWatch Logs (the service role the CodeBuild guide sets up)',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
    },
  ],
  errorCodes: {},
  iamActions: {
    discover: ['codebuild:ListProjects', 'codebuild:BatchGetProjects'],
    apply: ['codebuild:UpdateProject'],
  },
});
