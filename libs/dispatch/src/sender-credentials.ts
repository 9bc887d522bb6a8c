import { createHash } from 'node:crypto';
import type { KeyVault } from '@hub/keys';
import type { TenantDb } from '@hub/persistence';
import { SigningCredential } from '@hub/mina-meddelanden';
import type { SendingUnit } from '@hub/tenancy';

export type SenderCredentialProblem = 'SENDER_CERTIFICATE_MISSING' | 'SENDER_CERTIFICATE_INVALID' | 'SENDER_CERTIFICATE_EXPIRED' | 'SENDER_CERTIFICATE_MISMATCH';

/** A sending unit cannot sign: no certificate, a key that does not decrypt or match, expired, or issued to another organisation. */
export class SenderCredentialError extends Error {
  constructor(
    readonly problem: SenderCredentialProblem,
    message: string,
  ) {
    super(message);
  }
}

interface Entry {
  fingerprint: string;
  credential: Promise<SigningCredential>;
}

/**
 * The sending units' signing credentials, decrypted once per process and kept as parsed key
 * objects. An entry is keyed by the unit and its certificate's fingerprint: when an admin rotates
 * the certificate (and key), the next letter loads the new pair.
 */
export class SenderCredentials {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly db: TenantDb,
    private readonly vault: KeyVault,
  ) {}

  /**
   * The credential of `unit`, checked for expiry and for being issued to the unit's organisation.
   * The encrypted key is read (in the unit's tenant) and decrypted only when not cached.
   * Throws {@link SenderCredentialError}.
   */
  async forUnit(unit: Pick<SendingUnit, 'id' | 'tenantId' | 'orgNumber' | 'certificatePem'>, now = new Date()): Promise<SigningCredential> {
    if (!unit.certificatePem) {
      throw new SenderCredentialError('SENDER_CERTIFICATE_MISSING', `sending unit ${unit.id} has no certificate: a tenant admin must install one`);
    }
    const fingerprint = createHash('sha256').update(unit.certificatePem).digest('hex');
    let entry = this.cache.get(unit.id);
    if (!entry || entry.fingerprint !== fingerprint) {
      const certificatePem = unit.certificatePem;
      entry = { fingerprint, credential: this.load(unit.tenantId, unit.id, certificatePem) };
      this.cache.set(unit.id, entry);
      // A failed load is not cached: the next letter tries again (the admin may have fixed it).
      entry.credential.catch(() => {
        if (this.cache.get(unit.id) === entry) this.cache.delete(unit.id);
      });
    }
    const credential = await entry.credential;
    if (credential.notAfter.getTime() <= now.getTime()) {
      throw new SenderCredentialError('SENDER_CERTIFICATE_EXPIRED', `the certificate of sending unit ${unit.id} expired on ${credential.notAfter.toISOString()}`);
    }
    if (credential.serialNumber !== unit.orgNumber) {
      // Operators refuse a sender signature whose certificate is not the Sender/Id's (5002).
      throw new SenderCredentialError(
        'SENDER_CERTIFICATE_MISMATCH',
        `the certificate of sending unit ${unit.id} is issued to ${credential.serialNumber ?? 'no serialNumber'}, not to the unit's ${unit.orgNumber}`,
      );
    }
    return credential;
  }

  /** Forgets every cached credential (e.g. after a key rotation that kept the certificate). */
  clear(): void {
    this.cache.clear();
  }

  private async load(tenantId: string, unitId: string, certificatePem: string): Promise<SigningCredential> {
    const rows = await this.db.inTenant(tenantId, (em) =>
      em.execute<{ key_ciphertext: Buffer | null }[]>('select key_ciphertext from sending_unit where id = ?', [unitId]),
    );
    const blob = rows[0]?.key_ciphertext;
    if (!blob) throw new SenderCredentialError('SENDER_CERTIFICATE_MISSING', `sending unit ${unitId} has a certificate but no key`);
    try {
      return SigningCredential.fromPem(this.vault.decrypt(blob, `sending_unit:${unitId}`), certificatePem);
    } catch (e) {
      throw new SenderCredentialError('SENDER_CERTIFICATE_INVALID', `the key of sending unit ${unitId} cannot be used: ${(e as Error).message}`);
    }
  }
}
