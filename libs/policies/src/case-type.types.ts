import type { CaseTypeChannel } from '@hub/letters';

/** A case type (ärendetyp) as stored and shown. */
export interface CaseTypeView {
  id: string;
  /** Unique per tenant, e.g. "bygglov"; letters name their case type by it. Never changes. */
  code: string;
  name: string;
  /** The class a letter of this type gets when it names none, and the lowest it may name (SK2, SK3). */
  defaultProtectionClass: number;
  /** Fills a letter's subject when it gives none (K3); placeholders in braces, e.g. {caseReference}. */
  subjectTemplate: string;
  /** Fills a letter's body (text/plain) when it gives none. */
  bodyTemplate: string | null;
  /** The channels its letters may use: DIGITAL and/or PRINT. */
  allowedChannels: CaseTypeChannel[];
  /** Whether its letters may go to print: PRINT is among the allowed channels. */
  printAllowed: boolean;
  /** The retention rule for its letters (the retention work's table); null: the tenant's default. */
  retentionRuleId: string | null;
  /** Whether its dispatched letters are registered in the diary (diarieföring). */
  diaryEnabled: boolean;
  /** False once archived: an archived case type takes no new letters. */
  active: boolean;
  archivedAt: Date | null;
  /** Goes up by one with every change. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A new case type as an admin sends it; each field is checked and refused with its path. */
export interface CaseTypeInput {
  code?: string | null;
  name?: string | null;
  defaultProtectionClass?: number | null;
  subjectTemplate?: string | null;
  /** null or absent: none. */
  bodyTemplate?: string | null;
  /** Default DIGITAL and PRINT. */
  allowedChannels?: (CaseTypeChannel | null)[] | null;
  retentionRuleId?: string | null;
  /** Default false. */
  diaryEnabled?: boolean | null;
}

/** A change: absent (undefined) fields stay as they are; null clears bodyTemplate and retentionRuleId. The code never changes. */
export type CaseTypeUpdate = Omit<CaseTypeInput, 'code'>;
