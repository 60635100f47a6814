/**
 * CodeBuild in memory, behind the CodeBuildPort: projects and their service
 * roles. UpdateProject refuses a role IAM does not know, as CodeBuild does
 * ("CodeBuild is not authorized to perform: sts:AssumeRole"). One region.
 */
import type { CodeBuildPort, ProjectRole } from '../../../src/workloads/codebuild-project/port.js';
import { FakeServiceError, FaultQueue } from './aws-error.js';

/** Where the projects live, and which roles exist (the IAM fake's). */
export interface FakeCodeBuildOptions {
  account?: string;
  region?: string;
  knowsRole?: (arn: string) => boolean;
}

/** CodeBuild of one region, in memory. */
export class FakeCodeBuild implements CodeBuildPort {
  /** Fails chosen calls before they change anything. */
  readonly faults = new FaultQueue<keyof CodeBuildPort>();
  /** The mutating calls made, in order ("updateServiceRole:build-app"). */
  readonly writes: string[] = [];
  private readonly projects = new Map<string, ProjectRole>();

  constructor(private readonly options: FakeCodeBuildOptions = {}) {}

  /** Adds a project building as `serviceRole`; returns its ARN. */
  addProject(name: string, serviceRole: string): string {
    const arn = `arn:aws:codebuild:${this.options.region ?? 'us-east-1'}:${this.options.account ?? '123456789012'}:project/${name}`;
    this.projects.set(name, { projectName: name, projectArn: arn, serviceRole });
    return arn;
  }

  /** Deletes a project. */
  deleteProject(name: string): void {
    this.projects.delete(name);
  }

  /** The role a project builds as now (undefined when it does not exist). */
  roleOf(name: string): string | undefined {
    return this.projects.get(name)?.serviceRole;
  }

  async listProjects(): Promise<ProjectRole[]> {
    this.faults.check('listProjects');
    return [...this.projects.values()].map((p) => ({ ...p }));
  }

  async getProject(projectName: string): Promise<ProjectRole | undefined> {
    this.faults.check('getProject');
    const project = this.projects.get(projectName);
    return project ? { ...project } : undefined;
  }

  async updateServiceRole(projectName: string, roleArn: string): Promise<void> {
    this.faults.check('updateServiceRole');
    const project = this.projects.get(projectName);
    if (!project) throw new FakeServiceError('ResourceNotFoundException', `Project cannot be found: ${projectName}`);
    if (this.options.knowsRole && !this.options.knowsRole(roleArn)) {
      throw new FakeServiceError('InvalidInputException', `CodeBuild is not authorized to perform: sts:AssumeRole on ${roleArn}`);
    }
    this.writes.push(`updateServiceRole:${projectName}`);
    project.serviceRole = roleArn;
  }
}
