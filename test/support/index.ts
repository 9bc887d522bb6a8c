export * from './hub-database';
export * from './api-process';
export * from './hub-env';
export * from './letters';
export * from './processes';
export * from './redis';
export * from './simulators';
export * from './worker-process';
