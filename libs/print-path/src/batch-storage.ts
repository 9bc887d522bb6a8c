import { join, resolve } from 'node:path';

/** The three files of a batch, as stored in print_batch.files (names relative to the tenant's folder). */
export interface StoredBatchFiles {
  pdf: { name: string; bytes: number; sha256: string; pages: number; sheets: number };
  manifestJson: { name: string; bytes: number; sha256: string };
  manifestCsv: { name: string; bytes: number; sha256: string };
}

export type BatchFileKind = 'pdf' | 'manifestJson' | 'manifestCsv';

/**
 * Where batch files live: `<PRINT_STORAGE_DIR>/<tenant id>/<batch id>.{pdf,manifest.json,manifest.csv}`.
 * The API streams them to vendors; the workers write them. Both must see the same directory.
 */
export class BatchStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  tenantDir(tenantId: string): string {
    return join(this.root, safe(tenantId));
  }

  path(tenantId: string, name: string): string {
    return join(this.tenantDir(tenantId), safe(name));
  }
}

// Ids and names come from the database, never from a request; still, nothing may leave the root.
function safe(part: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(part) || part.includes('..')) throw new Error(`not a safe file name: ${JSON.stringify(part)}`);
  return part;
}
