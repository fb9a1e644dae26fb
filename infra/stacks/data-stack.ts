import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { UserPool, UserPoolClient, UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CQC_API_KEY_SECRET_OUTPUT } from '#shared/model/settings';
import { TABLE_IDS, tableOutputKey, tables, type TableId } from '#shared/model/tables';
import { CqcApiKey } from '../constructs/cqc-api-key';
import { SignIn } from '../constructs/sign-in';
import { tableFromDefinition } from '../constructs/table-from-definition';
import { UpdateLinkKey } from '../constructs/update-link-key';
import type { StageSettings } from '../stage';

export interface DataStackProps extends StackProps {
  settings: StageSettings;
}

/**
 * Stateful resources only, so the API stack can be torn down and redeployed without touching data:
 * the tables, the users (a Cognito user pool), the key that signs update links and the CQC API's
 * subscription key (put in by the operator, so not something a redeploy could make again).
 */
export class DataStack extends Stack {
  readonly tables: Record<TableId, TableV2>;
  readonly userPool: UserPool;
  readonly webClient: UserPoolClient;
  /** The managed login pages' domain (`<prefix>.auth.<region>.amazoncognito.com`). */
  readonly signInDomain: UserPoolDomain;
  readonly updateLinkSecret: Secret;
  readonly cqcApiKeySecret: Secret;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const built = TABLE_IDS.map((tableId) => [tableId, tableFromDefinition(this, constructId(tableId), tables[tableId], props.settings, tableId)] as const);
    this.tables = Object.fromEntries(built) as Record<TableId, TableV2>;

    const signIn = new SignIn(this, 'SignIn', { settings: props.settings });
    this.userPool = signIn.userPool;
    this.webClient = signIn.webClient;
    this.signInDomain = signIn.domain;
    this.updateLinkSecret = new UpdateLinkKey(this, 'UpdateLinkKey', { settings: props.settings }).secret;
    this.cqcApiKeySecret = new CqcApiKey(this, 'CqcApiKey', { settings: props.settings }).secret;

    // CloudFormation names the tables; scripts run against a stage (`--stage prod`) read the names here.
    for (const tableId of TABLE_IDS) {
      new CfnOutput(this, tableOutputKey(tableId), { value: this.tables[tableId].tableName, description: `The ${tables[tableId].description} table` });
    }

    // What the web form needs to sign users in.
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId, description: 'Cognito user pool of the signed-in users' });
    new CfnOutput(this, 'WebClientId', { value: this.webClient.userPoolClientId, description: 'Cognito app client of the web pages (authorization code with PKCE, no secret)' });
    // Where the operator puts the CQC API key, and where `npm run sync:cqc -- --stage` reads it.
    new CfnOutput(this, CQC_API_KEY_SECRET_OUTPUT, { value: this.cqcApiKeySecret.secretArn, description: 'The secret holding the CQC API subscription key' });
    new CfnOutput(this, 'SignInUrl', { value: this.signInDomain.baseUrl(), description: 'Cognito managed login (hosted UI) of the user pool' });
  }
}

function constructId(tableId: TableId): string {
  return `${tableId.charAt(0).toUpperCase()}${tableId.slice(1)}Table`;
}
