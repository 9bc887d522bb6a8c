/** The GraphQL operations of the send page and the shapes of their answers. */
import type { CaseTypeOption, ChannelPreference } from './letter-draft';

export const SEND_PAGE_DATA = `query SendPageData {
  sendingUnitChoices { code name }
  caseTypes { code name defaultProtectionClass allowedChannels subjectTemplate bodyTemplate }
}`;

export interface SendPageData {
  sendingUnitChoices: { code: string; name: string }[];
  caseTypes: CaseTypeOption[];
}

export const CHECK_REACHABILITY = `query CheckReachability($recipients: [String!]!, $sendingUnit: String) {
  checkReachability(recipients: $recipients, sendingUnit: $sendingUnit) { recipient deliverable reason operator { name } }
}`;

export interface ReachabilityRow {
  recipient: string;
  deliverable: boolean;
  reason: 'NOT_REGISTERED' | 'SENDER_NOT_ACCEPTED' | 'PENDING' | 'NO_SUPPLIER' | null;
  operator: { name: string } | null;
}

export const CHANNEL_PREVIEW = `query ChannelPreview($input: ChannelPreviewInput!) {
  channelPreview(input: $input) {
    channel reason holdReason printBlockedBy explanation
    operator { name }
    reachability { deliverable reason }
    recipient sendingUnit { code name }
    protectionClass protectionClassFromCaseType requestedChannelPreference channelPreference
    caseType { code name defaultProtectionClass allowedChannels }
    decidedByTenantSetting
  }
}`;

export interface ChannelPreview {
  channel: 'DIGITAL' | 'PRINT' | 'HOLD' | 'UNDELIVERABLE';
  reason: string | null;
  holdReason: string | null;
  printBlockedBy: string | null;
  explanation: string;
  operator: { name: string } | null;
  reachability: { deliverable: boolean; reason: string | null } | null;
  recipient: string;
  sendingUnit: { code: string; name: string };
  protectionClass: number;
  protectionClassFromCaseType: boolean;
  requestedChannelPreference: ChannelPreference;
  channelPreference: ChannelPreference;
  caseType: { code: string; name: string; defaultProtectionClass: number; allowedChannels: ('DIGITAL' | 'PRINT')[] } | null;
  decidedByTenantSetting: string | null;
}

export const SUBMIT_LETTER = `mutation SubmitLetter($input: LetterInput!) { submitLetter(input: $input) { id status } }`;

export interface SubmittedLetter {
  submitLetter: { id: string; status: string };
}
