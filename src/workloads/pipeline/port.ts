/**
 * The CodePipeline port: pipelines with the role of the pipeline and of each
 * action, as the pipeline kind reads and changes them, and its SDK
 * implementation. UpdatePipeline replaces the whole declaration, so a change
 * is a read-modify-write of the declaration GetPipeline returned.
 */
import type { CodePipelineClient, PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import type { PortFactory } from '../../aws/workload-ports.js';
import { loadSdk } from '../../aws/sdk-modules.js';
import { unlessNotFound } from '../../core/aws-error-names.js';

/** An action that runs with its own role. */
export interface ActionRole {
  stage: string;
  action: string;
  roleArn: string;
}

/** A pipeline, its role, and the roles its actions name. */
export interface PipelineRoles {
  name: string;
  roleArn: string;
  actionRoles: ActionRole[];
}

/** What the pipeline kind asks of CodePipeline in one region. */
export interface CodePipelinePort {
  /** Every pipeline with its roles. */
  listPipelines(): Promise<PipelineRoles[]>;
  /** One pipeline's roles, or undefined when it does not exist. */
  getPipeline(name: string): Promise<PipelineRoles | undefined>;
  /**
   * Every role field of the pipeline that names `from` (the pipeline's own and
   * each action's) now names `to`; the rest of the declaration is carried over.
   */
  replaceRole(name: string, from: string, to: string): Promise<void>;
}

/** The roles a declaration names. */
export function rolesOf(declaration: PipelineDeclaration): PipelineRoles {
  return {
    name: declaration.name ?? '',
    roleArn: declaration.roleArn ?? '',
    actionRoles: (declaration.stages ?? []).flatMap((stage) =>
      (stage.actions ?? []).flatMap((action) =>
        action.roleArn ? [{ stage: stage.name ?? '', action: action.name ?? '', roleArn: action.roleArn }] : [],
      ),
    ),
  };
}

/** The declaration with every role field naming `from` changed to `to`. */
export function withRole(declaration: PipelineDeclaration, from: string, to: string): PipelineDeclaration {
  const swap = (arn: string | undefined) => (arn === from ? to : arn);
  return {
    ...declaration,
    roleArn: swap(declaration.roleArn),
    stages: declaration.stages?.map((stage) => ({
      ...stage,
      actions: stage.actions?.map((action) => (action.roleArn === undefined ? action : { ...action, roleArn: swap(action.roleArn) })),
    })),
  };
}

/** The CodePipeline port over an SDK client. */
export function sdkCodePipeline(client: CodePipelineClient): CodePipelinePort {
  const sdk = () => loadSdk('client-codepipeline');
  const declaration = async (name: string): Promise<PipelineDeclaration | undefined> => {
    const { GetPipelineCommand } = await sdk();
    return unlessNotFound('PipelineNotFoundException', async () => (await client.send(new GetPipelineCommand({ name }))).pipeline);
  };
  return {
    async listPipelines() {
      const { paginateListPipelines } = await sdk();
      const pipelines: PipelineRoles[] = [];
      for await (const page of paginateListPipelines({ client }, {})) {
        for (const summary of page.pipelines ?? []) {
          const found = await declaration(summary.name ?? '');
          if (found) pipelines.push(rolesOf(found));
        }
      }
      return pipelines;
    },
    async getPipeline(name) {
      const found = await declaration(name);
      return found ? rolesOf(found) : undefined;
    },
    async replaceRole(name, from, to) {
      const { UpdatePipelineCommand } = await sdk();
      const found = await declaration(name);
      if (!found) throw Object.assign(new Error(`pipeline ${name} does not exist`), { name: 'PipelineNotFoundException' });
      // The declaration goes back as read (version included): CodePipeline refuses it if someone changed the pipeline since.
      await client.send(new UpdatePipelineCommand({ pipeline: withRole(found, from, to) }));
    },
  };
}

/** How a session makes the CodePipeline port. */
export const codePipelinePorts: PortFactory<CodePipelinePort> = {
  id: 'codepipeline',
  async open(sdk) {
    const { CodePipelineClient } = await loadSdk('client-codepipeline');
    return sdkCodePipeline(await sdk.sdkClient('codepipeline', 'CodePipelineClient', (config) => new CodePipelineClient(config)));
  },
};
