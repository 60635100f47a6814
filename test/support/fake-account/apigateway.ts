/**
 * API Gateway in memory, behind the port both API Gateway kinds share (one
 * instance for REST APIs, one for v2 APIs). A stage serves a deployment, a
 * snapshot of the slots' credentials taken when it was made: a changed
 * integration reaches a stage only through a new deployment, or at once on a
 * stage with autoDeploy (v2), which deploys every change by itself, as API
 * Gateway does. A deployment a stage serves cannot be deleted ("Active
 * stages pointing to this deployment must be moved or deleted").
 */
import type {
  ApiDeployment,
  ApiRead,
  ApiStage,
  CredentialedApiPort,
  CredentialSlot,
} from '../../../src/workloads/apigateway-rest/api-model.js';
import { FakeServiceError, FaultQueue } from './aws-error.js';

/** A deployment: its description and the credentials each slot named when it was made. */
interface FakeDeployment extends ApiDeployment {
  snapshot: Record<string, string | undefined>;
}

/** One API as the fake keeps it. */
interface FakeApi {
  name: string;
  slots: CredentialSlot[];
  stages: ApiStage[];
  deployments: FakeDeployment[];
}

/** What a test seeds: slots, and stages (each served a first deployment unless it has autoDeploy and none yet). */
export interface FakeApiSeed {
  apiId: string;
  name: string;
  slots: CredentialSlot[];
  stages: Array<{ stageName: string; autoDeploy?: boolean; canary?: boolean }>;
}

const key = (slot: Pick<CredentialSlot, 'kind' | 'id'>) => `${slot.kind}:${slot.id}`;

/** API Gateway (REST or v2) of one region, in memory. */
export class FakeApiGateway implements CredentialedApiPort {
  /** Fails chosen calls before they change anything. */
  readonly faults = new FaultQueue<keyof CredentialedApiPort>();
  /** The mutating calls made, in order ("setCredentials:api1:integration:r1/GET"). */
  readonly writes: string[] = [];
  private readonly apis = new Map<string, FakeApi>();
  private nextId = 1;
  /** REST: the account setting cloudwatchRoleArn; undefined for a v2 fake, which has no such setting. */
  private logRole: string | undefined;

  constructor(options: { accountSettings?: boolean } = {}) {
    if (options.accountSettings) this.accountLogRole = async () => this.logRole;
  }

  /** Sets the account's CloudWatch logging role (REST fakes only). */
  setAccountLogRole(roleArn: string | undefined): void {
    this.logRole = roleArn;
  }

  /** REST: the account setting cloudwatchRoleArn. */
  accountLogRole?: () => Promise<string | undefined>;

  /** Adds an API; every stage serves one first deployment of it. */
  addApi(seed: FakeApiSeed): void {
    const api: FakeApi = { name: seed.name, slots: structuredClone(seed.slots), stages: [], deployments: [] };
    this.apis.set(seed.apiId, api);
    const first = this.deploy(api, 'first');
    api.stages = seed.stages.map((s) => ({
      stageName: s.stageName,
      deploymentId: first,
      autoDeploy: s.autoDeploy === true,
      ...(s.canary ? { canary: true } : {}),
    }));
  }

  /** Deletes an API. */
  deleteApi(apiId: string): void {
    this.apis.delete(apiId);
  }

  /** Changes a slot's credentials as someone else would (not a write of split-role's); auto-deploying stages take it. */
  editSlot(apiId: string, slot: Pick<CredentialSlot, 'kind' | 'id'>, credentials: string): void {
    const api = this.must(apiId);
    const live = api.slots.find((s) => key(s) === key(slot));
    if (live) live.credentials = credentials;
    this.autoDeploy(api);
  }

  /** Gives a stage canary settings, as someone else would. */
  addCanary(apiId: string, stageName: string): void {
    const stage = this.must(apiId).stages.find((s) => s.stageName === stageName);
    if (stage) stage.canary = true;
  }

  /** Makes a stage serve a new deployment of the API as it is now, as someone else would. */
  redeployBehindOurBack(apiId: string, stageName: string): string {
    const api = this.must(apiId);
    const id = this.deploy(api, 'theirs');
    const stage = api.stages.find((s) => s.stageName === stageName);
    if (stage) stage.deploymentId = id;
    return id;
  }

  /** The whole API as stored now (slots, stages, deployments with their snapshots). */
  apiOf(apiId: string): FakeApi | undefined {
    return structuredClone(this.apis.get(apiId));
  }

  /** The credentials a stage serves for a slot now: its deployment's snapshot, not the API's definition. */
  served(apiId: string, stageName: string, slot: Pick<CredentialSlot, 'kind' | 'id'>): string | undefined {
    const api = this.must(apiId);
    const stage = api.stages.find((s) => s.stageName === stageName);
    return api.deployments.find((d) => d.id === stage?.deploymentId)?.snapshot[key(slot)];
  }

  async listApis(): Promise<ApiRead[]> {
    this.faults.check('listApis');
    return [...this.apis.keys()].map((id) => this.read(id));
  }

  async getApi(apiId: string): Promise<ApiRead | undefined> {
    this.faults.check('getApi');
    return this.apis.has(apiId) ? this.read(apiId) : undefined;
  }

  async setCredentials(apiId: string, slot: Pick<CredentialSlot, 'kind' | 'id'>, roleArn: string): Promise<void> {
    this.faults.check('setCredentials');
    const api = this.must(apiId);
    const live = api.slots.find((s) => key(s) === key(slot));
    if (!live) throw new FakeServiceError('NotFoundException', `Invalid ${slot.kind} identifier specified`, { status: 404 });
    this.writes.push(`setCredentials:${apiId}:${key(slot)}`);
    live.credentials = roleArn;
    this.autoDeploy(api);
  }

  async createDeployment(apiId: string, description: string): Promise<string> {
    this.faults.check('createDeployment');
    const id = this.deploy(this.must(apiId), description);
    this.writes.push(`createDeployment:${apiId}`);
    return id;
  }

  async listDeployments(apiId: string): Promise<ApiDeployment[]> {
    this.faults.check('listDeployments');
    return this.must(apiId).deployments.map(({ id, description }) => ({ id, ...(description ? { description } : {}) }));
  }

  async setStageDeployment(apiId: string, stageName: string, deploymentId: string): Promise<void> {
    this.faults.check('setStageDeployment');
    const api = this.must(apiId);
    const stage = api.stages.find((s) => s.stageName === stageName);
    if (!stage) throw new FakeServiceError('NotFoundException', 'Invalid Stage identifier specified', { status: 404 });
    if (!api.deployments.some((d) => d.id === deploymentId))
      throw new FakeServiceError('BadRequestException', 'Invalid deployment identifier specified');
    this.writes.push(`setStageDeployment:${apiId}:${stageName}`);
    stage.deploymentId = deploymentId;
  }

  async deleteDeployment(apiId: string, deploymentId: string): Promise<void> {
    this.faults.check('deleteDeployment');
    const api = this.must(apiId);
    if (api.stages.some((s) => s.deploymentId === deploymentId))
      throw new FakeServiceError('BadRequestException', 'Active stages pointing to this deployment must be moved or deleted');
    this.writes.push(`deleteDeployment:${apiId}`);
    api.deployments = api.deployments.filter((d) => d.id !== deploymentId);
  }

  private read(apiId: string): ApiRead {
    const api = this.must(apiId);
    return structuredClone({ apiId, name: api.name, slots: api.slots, stages: api.stages });
  }

  private must(apiId: string): FakeApi {
    const api = this.apis.get(apiId);
    if (!api) throw new FakeServiceError('NotFoundException', `Invalid API identifier specified ${apiId}`, { status: 404 });
    return api;
  }

  private deploy(api: FakeApi, description: string): string {
    const id = `d${this.nextId++}`;
    api.deployments.push({ id, description, snapshot: Object.fromEntries(api.slots.map((s) => [key(s), s.credentials])) });
    return id;
  }

  /** Stages with autoDeploy serve every change at once, each through a deployment of its own. */
  private autoDeploy(api: FakeApi): void {
    for (const stage of api.stages) if (stage.autoDeploy) stage.deploymentId = this.deploy(api, 'auto-deploy');
  }
}
