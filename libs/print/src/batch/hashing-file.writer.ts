import { createHash, Hash } from 'node:crypto';
import { createReadStream, createWriteStream, WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

/** Text is coalesced into chunks of about this size before it reaches the file stream. */
const COALESCE_BYTES = 64 * 1024;

/**
 * An append-only file writer that counts bytes and computes SHA-256 as it goes, and respects the
 * file stream's backpressure: `write*` only buffer; `ready()` waits for the stream to drain when it
 * asked to. Text is encoded as `latin1` (PDF syntax, where every char is one byte) or `utf8`.
 */
export class HashingFileWriter {
  private readonly stream: WriteStream;
  private readonly hash: Hash = createHash('sha256');
  private pending = '';
  private pendingBytes = 0;
  private flushedBytes = 0;
  private needsDrain = false;
  private error: Error | undefined;

  constructor(
    readonly path: string,
    private readonly encoding: 'latin1' | 'utf8',
  ) {
    // `flush`: fsync before close, so that a rename after `close()` never exposes an empty file
    // after a power loss.
    this.stream = createWriteStream(path, { flags: 'w', flush: true });
    this.stream.on('error', (e) => {
      this.error ??= e;
    });
  }

  /** Bytes written so far (including what is still buffered here). */
  get position(): number {
    return this.flushedBytes + this.pendingBytes;
  }

  writeText(text: string): void {
    this.pending += text;
    // latin1: one byte per char; utf8: counted exactly when flushed.
    this.pendingBytes += this.encoding === 'latin1' ? text.length : Buffer.byteLength(text, 'utf8');
    if (this.pending.length >= COALESCE_BYTES) this.flushText();
  }

  writeBytes(bytes: Uint8Array): void {
    this.flushText();
    this.push(bytes);
  }

  /** Resolves when the file stream can take more; rejects when writing failed. */
  async ready(): Promise<void> {
    if (this.error) throw this.error;
    if (!this.needsDrain) return;
    this.needsDrain = false;
    await once(this.stream, 'drain');
  }

  /** Flushes, fsyncs and closes the file; returns the byte count and the SHA-256 (hex). */
  async close(): Promise<{ bytes: number; sha256: string }> {
    this.flushText();
    if (this.error) throw this.error;
    this.stream.end();
    await finished(this.stream);
    if (this.error) throw this.error;
    return { bytes: this.flushedBytes, sha256: this.hash.digest('hex') };
  }

  /** SHA-256 of everything written so far, without ending the hash (for a PDF's /ID). */
  digestSoFar(): Buffer {
    this.flushText();
    return this.hash.copy().digest();
  }

  /**
   * Abandons the file (the caller deletes it) and resolves once its descriptor is closed: the stream
   * opens the file asynchronously, so a delete that does not wait for this could run before the open
   * and leave the file behind.
   */
  async destroy(): Promise<void> {
    if (this.stream.closed) return;
    const closed = once(this.stream, 'close').then(
      () => undefined,
      () => undefined,
    );
    this.stream.destroy();
    await closed;
  }

  private flushText(): void {
    if (this.pending.length === 0) return;
    const chunk = Buffer.from(this.pending, this.encoding);
    this.pending = '';
    this.pendingBytes = 0;
    this.push(chunk);
  }

  private push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.hash.update(chunk);
    this.flushedBytes += chunk.length;
    if (!this.stream.write(chunk)) this.needsDrain = true;
  }
}

/** SHA-256 (hex) of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
