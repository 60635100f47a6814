/**
 * What both API Gateway kinds (REST, and HTTP/WebSocket through
 * apigatewayv2) read and change, in one SDK-free shape: an API's places
 * that name a role (integration credentials, authorizer credentials), its
 * stages with the deployment each serves, and the deployments. Each kind's
 * port maps its service onto this; api-adapter.ts moves either.
 */

/** A place in an API that names the role API Gateway calls with. */
export interface CredentialSlot {
  /** Integration credentials or authorizer credentials. */
  kind: 'integration' | 'authorizer';
  /** Stable key within the API: "resourceId/GET" (REST integration), the integration or authorizer id. */
  id: string;
  /** For people: "GET /orders", "authorizer token-check". */
  label: string;
  /** The role ARN the slot names, when it names one. */
  credentials?: string;
}

/** A stage and the deployment it serves (a snapshot of the API). */
export interface ApiStage {
  stageName: string;
  /** Undefined on an HTTP API stage not yet deployed. */
  deploymentId?: string;
  /** HTTP APIs: the stage deploys every change by itself (REST stages never do). */
  autoDeploy: boolean;
  /** REST: the stage has canarySettings, sending a share of its traffic to a deployment of their own. */
  canary?: boolean;
}

/** One API as read whole. */
export interface ApiRead {
  apiId: string;
  name: string;
  slots: CredentialSlot[];
  stages: ApiStage[];
}

/** A deployment of an API. */
export interface ApiDeployment {
  id: string;
  description?: string;
}

/** What an API Gateway kind asks of its service in one region. */
export interface CredentialedApiPort {
  /** Every API, each read whole. */
  listApis(): Promise<ApiRead[]>;
  /** One API, or undefined when it does not exist. */
  getApi(apiId: string): Promise<ApiRead | undefined>;
  /** Points one slot at another role (the API's definition; a REST stage serves it only once redeployed). */
  setCredentials(apiId: string, slot: Pick<CredentialSlot, 'kind' | 'id'>, roleArn: string): Promise<void>;
  /** Snapshots the API's current definition as a new deployment, served by no stage yet; returns its id. */
  createDeployment(apiId: string, description: string): Promise<string>;
  /** The API's deployments. */
  listDeployments(apiId: string): Promise<ApiDeployment[]>;
  /** Makes a stage serve a deployment. */
  setStageDeployment(apiId: string, stageName: string, deploymentId: string): Promise<void>;
  /** Deletes a deployment no stage serves. */
  deleteDeployment(apiId: string, deploymentId: string): Promise<void>;
  /** REST only: the region's account setting cloudwatchRoleArn (the role API Gateway writes every API's logs with), when set. */
  accountLogRole?(): Promise<string | undefined>;
}
