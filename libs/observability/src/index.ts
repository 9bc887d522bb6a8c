export { createLogger, maskPersonalIds, Logger } from './logger';
