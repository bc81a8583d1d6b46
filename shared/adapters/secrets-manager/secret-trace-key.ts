import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MIN_TRACE_KEY_BYTES, type TraceKeySource } from '../../ports/trace-key.js';

/**
 * The trace index's key in AWS: a Secrets Manager secret that the CDK app generates (random text, encrypted under the
 * stack's KMS key), read once per container. The key is the secret's UTF-8 bytes; a secret shorter than 32 bytes is
 * refused rather than used.
 */
export class SecretTraceKey implements TraceKeySource {
  private loaded: Promise<Uint8Array> | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
  ) {}

  key(): Promise<Uint8Array> {
    this.loaded ??= this.load().catch((err: unknown) => {
      this.loaded = undefined;
      throw err;
    });
    return this.loaded;
  }

  private async load(): Promise<Uint8Array> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    const bytes = out.SecretString !== undefined ? new TextEncoder().encode(out.SecretString) : out.SecretBinary;
    if (!bytes || bytes.byteLength < MIN_TRACE_KEY_BYTES) throw new Error(`trace key: secret ${this.secretId} holds fewer than ${MIN_TRACE_KEY_BYTES} bytes`);
    return new Uint8Array(bytes);
  }
}
