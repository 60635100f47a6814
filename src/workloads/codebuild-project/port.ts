/**
 * The CodeBuild port: projects and their service roles, as the CodeBuild
 * kind reads and changes them, and its SDK implementation (pagination and
 * BatchGetProjects' 100-name limit hidden; the SDK loads on first use).
 */
import type { CodeBuildClient } from '@aws-sdk/client-codebuild';
import type { PortFactory } from '../../aws/workload-ports.js';
import { loadSdk } from '../../aws/sdk-modules.js';

/** A project and the role its builds run as. */
export interface ProjectRole {
  projectName: string;
  projectArn: string;
  /** The service role's ARN, as CodeBuild stores it. */
  serviceRole: string;
}

/** What the CodeBuild kind asks of CodeBuild in one region. */
export interface CodeBuildPort {
  /** Every project with its service role. */
  listProjects(): Promise<ProjectRole[]>;
  /** One project, or undefined when it does not exist. */
  getProject(projectName: string): Promise<ProjectRole | undefined>;
  /** Points a project's builds at another service role (builds already running keep theirs). */
  updateServiceRole(projectName: string, roleArn: string): Promise<void>;
}

/** BatchGetProjects takes at most 100 names. */
const BATCH = 100;

/** The CodeBuild port over an SDK client. */
export function sdkCodeBuild(client: CodeBuildClient): CodeBuildPort {
  const sdk = () => loadSdk('client-codebuild');
  const get = async (names: string[]): Promise<ProjectRole[]> => {
    const { BatchGetProjectsCommand } = await sdk();
    const out = await client.send(new BatchGetProjectsCommand({ names }));
    return (out.projects ?? []).map((p) => ({ projectName: p.name ?? '', projectArn: p.arn ?? '', serviceRole: p.serviceRole ?? '' }));
  };
  return {
    async listProjects() {
      const { paginateListProjects } = await sdk();
      const names: string[] = [];
      for await (const page of paginateListProjects({ client }, {})) names.push(...(page.projects ?? []));
      const projects: ProjectRole[] = [];
      for (let i = 0; i < names.length; i += BATCH) projects.push(...(await get(names.slice(i, i + BATCH))));
      return projects;
    },
    async getProject(projectName) {
      return (await get([projectName]))[0];
    },
    async updateServiceRole(projectName, roleArn) {
      const { UpdateProjectCommand } = await sdk();
      await client.send(new UpdateProjectCommand({ name: projectName, serviceRole: roleArn }));
    },
  };
}

/** How a session makes the CodeBuild port. */
export const codeBuildPorts: PortFactory<CodeBuildPort> = {
  id: 'codebuild',
  async open(sdk) {
    const { CodeBuildClient } = await loadSdk('client-codebuild');
    return sdkCodeBuild(await sdk.sdkClient('codebuild', 'CodeBuildClient', (config) => new CodeBuildClient(config)));
  },
};
