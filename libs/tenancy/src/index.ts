export * from './tenant-context';
export * from './tenancy.entities';
