import { randomBytes } from 'node:crypto';
import { KeyVault, KeyVaultError } from './key-vault';

describe('KeyVault', () => {
  const vault = new KeyVault(randomBytes(32).toString('base64'));
  it('round-trips and never stores the plaintext', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n';
    const blob = vault.encrypt(pem, 'sending_unit:1');
    expect(blob.includes(Buffer.from('PRIVATE KEY'))).toBe(false);
    expect(vault.decrypt(blob, 'sending_unit:1').toString()).toBe(pem);
  });
  it('refuses another row, another master key, and a flipped bit', () => {
    const blob = vault.encrypt('secret', 'a');
    expect(() => vault.decrypt(blob, 'b')).toThrow(KeyVaultError);
    expect(() => new KeyVault(randomBytes(32).toString('base64')).decrypt(blob, 'a')).toThrow(/wrong MASTER_KEY/);
    const flipped = Buffer.from(blob);
    flipped[flipped.length - 1] ^= 1;
    expect(() => vault.decrypt(flipped, 'a')).toThrow(KeyVaultError);
  });
  it('refuses a master key of the wrong size', () => {
    expect(() => new KeyVault(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
