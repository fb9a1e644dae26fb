import { tables, type TableId } from '../tables';

/** Read a required setting once, at module load, so a misconfigured function fails on its first cold start. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Environment variable ${name} is not set`);
  }
  return value;
}

export function tableName(id: TableId): string {
  return requiredEnv(tables[id].envVar);
}
