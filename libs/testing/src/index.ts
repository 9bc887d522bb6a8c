export { ensureTestPki } from './pki';
export type { IssuedCert, PkiSpec, TestPki } from './pki';
export { loadTestPersonnummer, loadTestSamordningsnummer, pickTestPersonnummer } from './test-identities';
export { makeTestPdf } from './test-pdf';
export { parseCsv } from './csv';
export { freePort } from './ports';
