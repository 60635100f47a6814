/** Where a Firehose move's role fields live in the user's own code, for the export checklist. Pure. */
import type { FirehoseStreamMove } from './schema.js';

/** Terraform's and CloudFormation's names of the blocks holding the moved fields. */
export function codeBlocks(move: Pick<FirehoseStreamMove, 'destinationType' | 'fields'>): { tf: string; cfn: string } {
  const TF: Record<string, string> = {
    S3: 'extended_s3_configuration',
    ExtendedS3: 'extended_s3_configuration',
    Redshift: 'redshift_configuration',
    Elasticsearch: 'elasticsearch_configuration',
    Amazonopensearchservice: 'opensearch_configuration',
    AmazonOpenSearchServerless: 'opensearchserverless_configuration',
    Splunk: 'splunk_configuration',
    HttpEndpoint: 'http_endpoint_configuration',
    Snowflake: 'snowflake_configuration',
    Iceberg: 'iceberg_configuration',
  };
  const outerTf = TF[move.destinationType] ?? `the ${move.destinationType} destination`;
  const outerCfn = `${move.destinationType}DestinationConfiguration`;
  // Terraform's and CloudFormation's names of the nested block of each movable field.
  const NESTED: Record<string, [tf: string, cfn: string]> = {
    'S3DestinationDescription.RoleARN': ['s3_configuration', 'S3Configuration'],
    'S3BackupDescription.RoleARN': ['s3_backup_configuration', 'S3BackupConfiguration'],
    'SecretsManagerConfiguration.RoleARN': ['secrets_manager_configuration', 'SecretsManagerConfiguration'],
  };
  const nested = (f: string, tf: string, cfn: string) => {
    const inner = NESTED[f];
    return inner ? { tf: `\`${tf}.${inner[0]}\``, cfn: `\`${cfn}.${inner[1]}\`` } : { tf: `\`${tf}\``, cfn: `\`${cfn}\`` };
  };
  const parts = move.fields.map((f) => nested(f, outerTf, outerCfn));
  return { tf: parts.map((p) => p.tf).join(', '), cfn: parts.map((p) => p.cfn).join(', ') };
}
