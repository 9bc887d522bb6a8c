export { KeyVault, KeyVaultError } from './key-vault';
