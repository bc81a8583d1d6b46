/**
 * The local engines' one key pair (the pair s3rver knows; DynamoDB Local accepts any). The engines listen on loopback
 * only, and the S3 engine refuses any other key (infra/local/engines/s3.ts). An adapter given an endpoint uses these
 * unless told otherwise; the embedded stack and the tests import them from here.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'eu-south-1';
