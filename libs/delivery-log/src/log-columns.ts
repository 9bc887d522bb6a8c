/**
 * One letter in the delivery log, as search results, CSV rows and JSON Lines objects carry it.
 * Times are ISO 8601 in UTC with milliseconds (`2026-11-26T08:15:30.123Z`).
 */
export interface LogRecord {
  letterId: string;
  createdAt: string;
  dispatchedAt: string | null;
  recipient: string;
  recipientKind: string;
  caseReference: string | null;
  caseType: string | null;
  sendingUnit: string;
  sendingUnitName: string;
  subject: string | null;
  subjectWithheld: boolean;
  protectionClass: number;
  channel: string | null;
  channelDecision: string | null;
  status: string;
  statusReason: string | null;
  operatorId: string | null;
  operatorName: string | null;
  transId: string | null;
  printVendor: string | null;
  printBatchId: string | null;
}

/**
 * From this protection class up, the log shows no subject line: `subject` is empty and
 * `subjectWithheld` true. A class-3 subject may say more about a person than a log or a file on a
 * desktop should (SK3); the letter itself, subject included, stays readable through `letter(id)`.
 */
export const SUBJECT_WITHHELD_FROM_CLASS = 3;

export interface LogColumn {
  /** The CSV header and the JSON Lines key. */
  name: keyof LogRecord;
  description: string;
}

/**
 * The columns of the delivery log export, in order: the CSV header row names them exactly so, and
 * every JSON Lines object has these keys in this order (`null` where the CSV cell is empty). The
 * README's column table is generated from this list.
 */
export const DELIVERY_LOG_COLUMNS: readonly LogColumn[] = [
  { name: 'letterId', description: 'The letter id (UUID) submitLetter returned; also the print job id.' },
  { name: 'createdAt', description: 'When the hub accepted the letter (ISO 8601, UTC).' },
  { name: 'dispatchedAt', description: 'When the letter left the hub: delivered to the mailbox operator (digital) or posted by the print vendor (print); empty until then.' },
  { name: 'recipient', description: 'Recipient id, 12 digits: personnummer, samordningsnummer or 16 + organisationsnummer.' },
  { name: 'recipientKind', description: 'personnummer, samordningsnummer or organisationsnummer.' },
  { name: 'caseReference', description: 'The case reference (diarienummer) the letter was submitted with.' },
  { name: 'caseType', description: 'The case type code (ärendetyp), when the letter named one.' },
  { name: 'sendingUnit', description: 'Code of the sending unit (nämnd/förvaltning), e.g. bygg.' },
  { name: 'sendingUnitName', description: 'Name of the sending unit.' },
  { name: 'subject', description: `The subject line (ledtext); empty for protection class ${SUBJECT_WITHHELD_FROM_CLASS} (see subjectWithheld).` },
  { name: 'subjectWithheld', description: `true when the subject is left out because of the letter's protection class (${SUBJECT_WITHHELD_FROM_CLASS}).` },
  { name: 'protectionClass', description: 'Skyddsklass 1–3 (higher is more sensitive).' },
  { name: 'channel', description: 'DIGITAL or PRINT once the channel switch has decided; empty before, and for letters that went neither way.' },
  { name: 'channelDecision', description: "The channel switch's decision: DIGITAL, PRINT, HOLD or UNDELIVERABLE." },
  { name: 'status', description: 'The letter\'s state: ACCEPTED, ROUTING, SIGNED, SEALED, DELIVERED, PRINT_PENDING, HELD, BATCHED, PRINTED, POSTED, RETURNED, PRINT_FAILED, FAILED or CANCELLED.' },
  { name: 'statusReason', description: 'Why the letter is in its state (e.g. NOT_REGISTERED for a recipient without a digital mailbox, a failure or hold reason).' },
  { name: 'operatorId', description: 'The mailbox operator (brevlådeoperatör) the letter went to: 16 + organisationsnummer.' },
  { name: 'operatorName', description: 'The mailbox operator\'s name.' },
  { name: 'transId', description: 'The mailbox operator\'s receipt id (TransId) of the delivery.' },
  { name: 'printVendor', description: 'The print vendor, for a letter rendered for print.' },
  { name: 'printBatchId', description: 'The print batch the letter was sent to the vendor in.' },
];
