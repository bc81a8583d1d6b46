import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MIN_TRACE_KEY_BYTES, type TraceKeySource } from '../../ports/trace-key.js';

/** The key file's name in the data folder. */
export const TRACE_KEY_FILE = 'trace-index.key';

/**
 * The trace index's key on the embedded stack: 32 random bytes (base64) in the data folder, made at first start,
 * readable by its owner only (0600). Made once even when two threads start together: the key is written to a file of
 * its own and linked into place, which fails if another thread got there first (then theirs is read); a key file is
 * never seen half written.
 */
export class FileTraceKey implements TraceKeySource {
  private loaded: Promise<Uint8Array> | undefined;

  constructor(private readonly dataDir: string) {}

  get file(): string {
    return path.join(this.dataDir, TRACE_KEY_FILE);
  }

  key(): Promise<Uint8Array> {
    this.loaded ??= this.load().catch((err: unknown) => {
      this.loaded = undefined;
      throw err;
    });
    return this.loaded;
  }

  private async load(): Promise<Uint8Array> {
    const existing = await this.read();
    if (existing) return existing;
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const fresh = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}`;
    await writeFile(fresh, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(fresh, 0o600);
    try {
      await link(fresh, this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await unlink(fresh);
    }
    const made = await this.read();
    if (!made) throw new Error(`trace key: ${this.file} could not be made`);
    return made;
  }

  private async read(): Promise<Uint8Array | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const key = Buffer.from(text.trim(), 'base64');
    if (key.byteLength < MIN_TRACE_KEY_BYTES) throw new Error(`trace key: ${this.file} holds fewer than ${MIN_TRACE_KEY_BYTES} bytes`);
    return new Uint8Array(key);
  }
}
