/**
 * Powertools singletons, created once per container and shared by every handler in it. Service name,
 * log level and metrics namespace come from the POWERTOOLS_* environment the house function sets.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'capacity-tracker';

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'CapacityTracker' });
export const tracer = new Tracer({ serviceName });
