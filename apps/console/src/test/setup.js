// jsdom's own crypto and TextEncoder live in another realm than Node's WebCrypto, which then
// misreads the bytes: give the tests Node's (the browser's are one realm anyway).
const { webcrypto } = require('node:crypto');
const { TextEncoder, TextDecoder } = require('node:util');
Object.defineProperty(globalThis, 'crypto', { value: webcrypto, configurable: true });
globalThis.TextEncoder = TextEncoder;
globalThis.TextDecoder = TextDecoder;
