/**
 * Region and credentials every client of a local stand-in (the DynamoDB container, dynalite, moto)
 * uses: the stand-ins accept any, and one set keeps a local table where every local client finds it.
 */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The same as environment variables, for a process (the stage's function, a tool) that reads them. */
export const LOCAL_AWS_ENV = {
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
} as const;
