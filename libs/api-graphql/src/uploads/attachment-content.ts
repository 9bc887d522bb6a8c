import type { FileUpload } from 'graphql-upload-minimal';
import { base64Length, MAX_DELIVERY_BYTES } from '@hub/letters';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** No attachment can be larger than the wire limit of a whole delivery. */
const MAX_ATTACHMENT_BYTES = MAX_DELIVERY_BYTES;

export type Content = { content: Buffer } | { error: string };

/** Strict base64 (RFC 4648 §4, no line breaks), refusing what Buffer.from would silently skip. */
export function decodeBase64(text: string): Content {
  if (text.length > base64Length(MAX_ATTACHMENT_BYTES)) {
    return { error: `is ${text.length} base64 characters; no attachment can exceed ${MAX_ATTACHMENT_BYTES} bytes (the wire limit of a whole letter)` };
  }
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    return { error: 'is not valid base64 (standard alphabet A–Z a–z 0–9 + /, padded with =, no line breaks)' };
  }
  return { content: Buffer.from(text, 'base64') };
}

/** Reads a multipart upload into memory, refusing it once it grows past the wire limit. */
export async function readUpload(upload: Promise<FileUpload>): Promise<Content & { filename?: string; mimetype?: string }> {
  let file: FileUpload;
  try {
    file = await upload;
  } catch (e) {
    return { error: `could not be received: ${(e as Error).message}` };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    // Read to the end even when too large: the files after this one in the request only arrive once it is drained.
    for await (const chunk of file.createReadStream()) {
      size += (chunk as Buffer).length;
      if (size <= MAX_ATTACHMENT_BYTES) chunks.push(chunk as Buffer);
    }
  } catch (e) {
    return { error: `could not be read: ${(e as Error).message}`, filename: file.filename };
  }
  if (size > MAX_ATTACHMENT_BYTES) return { error: `is larger than ${MAX_ATTACHMENT_BYTES} bytes, the wire limit of a whole letter`, filename: file.filename };
  return { content: Buffer.concat(chunks), filename: file.filename, mimetype: file.mimetype };
}
