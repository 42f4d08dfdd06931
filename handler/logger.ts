import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The function's structured logger (Powertools JSON, one line per entry). The log check and the
 * local stage read these lines: one `request completed` INFO line per invocation, failures at ERROR.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'pets' });
