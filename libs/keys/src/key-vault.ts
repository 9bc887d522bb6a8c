import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;

/** A stored key could not be decrypted: wrong master key, or the ciphertext was changed. */
export class KeyVaultError extends Error {}

/**
 * Encrypts signing keys at rest with AES-256-GCM under the master key from configuration.
 * Layout: version (1 byte) | IV (12) | tag (16) | ciphertext. `context` (e.g. the row id) is bound
 * as additional data, so a ciphertext copied to another row does not decrypt.
 */
export class KeyVault {
  private readonly key: Buffer;

  constructor(masterKeyBase64: string) {
    this.key = Buffer.from(masterKeyBase64, 'base64');
    if (this.key.length !== 32) throw new KeyVaultError('the master key must be 32 bytes (base64)');
  }

  encrypt(plaintext: string | Buffer, context: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ct]);
  }

  decrypt(blob: Buffer, context: string): Buffer {
    if (blob.length < 29 || blob[0] !== VERSION) throw new KeyVaultError('stored key has an unknown format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, blob.subarray(1, 13));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(blob.subarray(13, 29));
    try {
      return Buffer.concat([decipher.update(blob.subarray(29)), decipher.final()]);
    } catch {
      throw new KeyVaultError(`stored key for ${context} does not decrypt: wrong MASTER_KEY, or the data was altered`);
    }
  }
}
