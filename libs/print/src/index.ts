export * from './print.types';
export * from './vendor-api.types';
export * from './render';
export * from './batch';
export { PRINT_VENDOR_OPENAPI } from './vendor-api.openapi';
