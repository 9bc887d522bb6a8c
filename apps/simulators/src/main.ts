import { PLACEHOLDER } from '@hub/mina-meddelanden';
console.log(PLACEHOLDER);
