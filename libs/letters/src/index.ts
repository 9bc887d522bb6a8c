export * from './letter-status';
export * from './letter.entities';
