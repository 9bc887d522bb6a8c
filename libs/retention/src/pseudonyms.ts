import { createHmac, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { KeyVault } from '@hub/keys';
import { sql } from '@hub/letters';

/** Prefix of a pseudonymised recipient id (version 1: HMAC-SHA256, hex). */
export const PSEUDONYM_PREFIX = 'ps1:';
/** What a removed recipient id becomes (the column is required). */
export const REMOVED_RECIPIENT = '(removed)';

/**
 * The pseudonym of a recipient id under a tenant's key: `ps1:` + HMAC-SHA256 (hex). The same person
 * gets the same pseudonym in every letter of the tenant (letters to one person still group), a
 * different one in another tenant's, and without the key the id cannot be recovered by trying every
 * personnummer (the key is not in the database in clear).
 */
export function pseudonymOf(key: Buffer, recipientId: string): string {
  return PSEUDONYM_PREFIX + createHmac('sha256', key).update(recipientId, 'utf8').digest('hex');
}

/**
 * Each tenant's pseudonym key: 32 random bytes made on first use, kept in `retention_secret`
 * encrypted under MASTER_KEY (AES-256-GCM, bound to the tenant). Keeping the key (rather than
 * deriving it from MASTER_KEY) keeps pseudonyms stable when the master key is rotated and the key
 * re-encrypted.
 */
export class PseudonymKeys {
  private readonly vault: KeyVault;

  constructor(masterKeyBase64: string) {
    this.vault = new KeyVault(masterKeyBase64);
  }

  /**
   * The tenant's key, made now if it has none, in the caller's tenant transaction (not cached: a key
   * made in a transaction that rolls back must not outlive it).
   */
  async keyFor(em: EntityManager, tenantId: string): Promise<Buffer> {
    const context = `retention_secret:${tenantId}`;
    const read = async () => (await sql<{ key_ciphertext: Buffer }>(em, `select key_ciphertext from retention_secret where tenant_id = $1`, [tenantId])).rows[0];
    let row = await read();
    if (!row) {
      await sql(em, `insert into retention_secret (tenant_id, key_ciphertext) values ($1, $2) on conflict (tenant_id) do nothing`, [tenantId, this.vault.encrypt(randomBytes(32), context)]);
      row = await read();
    }
    return this.vault.decrypt(row.key_ciphertext, context);
  }
}
