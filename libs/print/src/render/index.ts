export { defineEnvelopeProfile, ENVELOPE_PROFILES, envelopeProfile } from './envelope-profiles';
export type { EnvelopeProfileId } from './envelope-profiles';
export { renderLetter } from './letter-renderer';
