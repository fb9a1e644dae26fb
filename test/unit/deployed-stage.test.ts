import { describe, expect, it } from 'vitest';
import { dataStackName, parseStage, tableEnvironmentFromOutputs } from '#scripts/aws/deployed-stage';
import { TABLE_IDS, tableOutputKey, tables } from '#shared/model/tables';

const outputsOf = (ids: readonly string[]) =>
  ids.map((id) => ({ OutputKey: tableOutputKey(id as (typeof TABLE_IDS)[number]), OutputValue: `CapacityTracker-prod-Data-${id}-ABC123` }));

describe('scripts against a deployed stage', () => {
  it('read every table name from the data stack outputs into the variables the repositories read', () => {
    const environment = tableEnvironmentFromOutputs([...outputsOf(TABLE_IDS), { OutputKey: 'UserPoolId', OutputValue: 'eu-west-2_x' }], 'S');
    expect(Object.keys(environment).sort()).toEqual(TABLE_IDS.map((id) => tables[id].envVar).sort());
    expect(environment.LOCATIONS_TABLE).toBe('CapacityTracker-prod-Data-locations-ABC123');
  });

  it('refuse a stack that lacks a table output, naming the table and what to do', () => {
    const partial = outputsOf(TABLE_IDS.filter((id) => id !== 'returns'));
    expect(() => tableEnvironmentFromOutputs(partial, 'CapacityTracker-prod-Data')).toThrow(/CapacityTracker-prod-Data has no output for the returns table.*deploy/);
  });

  it('know the stages by name and the data stack they read', () => {
    expect(dataStackName(parseStage('prod'))).toBe('CapacityTracker-prod-Data');
    expect(() => parseStage('production')).toThrow(/Unknown stage "production": use dev or prod/);
  });
});
