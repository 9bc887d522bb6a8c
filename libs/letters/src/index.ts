export * from './letter-status';
export * from './letter.entities';
export * from './letter-transitions';
export * from './intake';
export * from './event-stream';
export * from './letter-resend';
