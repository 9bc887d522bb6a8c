export { assembleBatch } from './assemble-batch';
export type { AssembleBatchOptions, BatchHeader } from './assemble-batch';
export { BatchAssemblyError } from './batch.errors';
export type { BatchAssemblyErrorCode } from './batch.errors';
export { BatchPdfWriter } from './batch-pdf.writer';
export type { PdfPlacement } from './batch-pdf.writer';
export { HashingFileWriter, sha256File } from './hashing-file.writer';
export {
  CSV_ADDRESS_LINES,
  CSV_RETURN_ADDRESS_LINES,
  MANIFEST_CSV_COLUMNS,
  manifestCsvChunks,
  manifestCsvHeader,
  manifestCsvRow,
} from './manifest-csv';
