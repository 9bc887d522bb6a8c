/**
 * A letter's codes in words: the reasons the hub records (FaR's answers, the channel switch's, the
 * print path's, the vendor's) and each event of the letter's history with its details. Codes the
 * console does not know yet are shown as they are, never hidden.
 */
import type { Params, Translate } from '../../i18n/i18n';

/** The translation of `key`, or `fallback` when there is none. */
function known(t: Translate, key: string, params?: Params): string | null {
  const text = t(key, params);
  return text === key ? null : text;
}

/** A reason code (statusReason, an event's reason, holdReason…) in words; the code itself when unknown. */
export function reasonText(t: Translate, code: unknown): string {
  if (typeof code !== 'string' || code === '') return '';
  // A cancellation keeps the sender's own words after "cancelled: ".
  if (code.startsWith('cancelled: ')) return t('letters.reason.cancelledWith', { reason: code.slice('cancelled: '.length) });
  return known(t, `letters.reason.${code}`) ?? code;
}

export interface LetterEventLike {
  type: string;
  fromStatus?: string | null;
  toStatus?: string | null;
  detail: Record<string, unknown>;
}

export interface EventWords {
  title: string;
  /** The details in a sentence (null when the title says it all). */
  text: string | null;
  /** Problems a print check found (HELD with PRINT_REFUSED). */
  problems: string[];
  /** Another letter the event points to (a resend). */
  letterId: string | null;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** One entry of the letter's history in words. */
export function describeEvent(t: Translate, e: LetterEventLike, formatDateTime: (iso: string) => string): EventWords {
  const d = e.detail ?? {};
  const title = known(t, `letters.event.${e.type}`) ?? e.type;
  const reason = reasonText(t, d.reason);
  let text: string | null = null;
  let letterId: string | null = null;
  const problems = Array.isArray(d.problems) ? d.problems.map((p) => (p && typeof p === 'object' ? str((p as { message?: unknown }).message) || str((p as { code?: unknown }).code) : str(p))).filter(Boolean) : [];
  switch (e.type) {
    case 'ACCEPTED':
      text = t('letters.eventText.ACCEPTED', { preference: t(`channel.${str(d.channelPreference) || 'AUTO'}`), attachments: Number(d.attachments ?? 0) });
      break;
    case 'REACHABILITY_CHECKED':
      text = d.deliverable
        ? t('letters.eventText.reachable', { operator: str(d.operatorName) || str(d.operatorId) })
        : t('letters.eventText.notReachable', { reason: reason || t('letters.reason.unknown') });
      break;
    case 'NOT_REACHABLE':
    case 'ROUTED_TO_PRINT':
    case 'DELIVERY_FAILED':
    case 'RETURNED':
    case 'PRINT_FAILED':
      text = reason ? t('letters.eventText.because', { reason }) : null;
      break;
    case 'DELIVERED':
      text = t('letters.eventText.DELIVERED', { operator: str(d.operatorName) || str(d.operatorId), transId: str(d.transId) });
      break;
    case 'RETRY_SCHEDULED':
      text = t('letters.eventText.RETRY_SCHEDULED', { code: str(d.code), attempt: str(d.attempt), at: d.nextAttemptAt ? formatDateTime(str(d.nextAttemptAt)) : '–' });
      break;
    case 'HELD':
      text = t('letters.eventText.because', { reason: reasonText(t, d.holdReason) || reason || t('letters.reason.unknown') });
      break;
    case 'FAILED': {
      const blocked = reasonText(t, d.printBlockedBy);
      text = blocked ? t('letters.eventText.FAILED', { reason: reason || t('letters.reason.unknown'), blocked }) : reason ? t('letters.eventText.because', { reason }) : null;
      break;
    }
    case 'CANCELLED':
      text = d.reason ? t('letters.eventText.because', { reason: str(d.reason) }) : null;
      break;
    case 'PRINT_RENDERED':
      text = t('letters.eventText.PRINT_RENDERED', { pages: str(d.pages), sheets: str(d.sheets), envelope: str(d.envelopeProfile), vendor: str(d.vendorId) });
      break;
    case 'BATCHED':
      text = t('letters.eventText.BATCHED', { batch: str(d.batchId).slice(0, 8), vendor: str(d.vendorId) });
      break;
    case 'RELEASED':
      text = [d.addressGiven ? t('letters.eventText.releasedWithAddress') : t('letters.eventText.released'), d.note ? t('letters.eventText.note', { note: str(d.note) }) : '']
        .filter(Boolean)
        .join(' ');
      break;
    case 'DIARY_REGISTERED':
      text = t('letters.eventText.DIARY_REGISTERED', { number: str(d.registrationNumber), hook: str(d.hookName) });
      break;
    case 'DIARY_REGISTRATION_FAILED':
      text = t('letters.eventText.DIARY_REGISTRATION_FAILED', { error: str(d.error), hook: str(d.hookName) });
      break;
    case 'RESENT':
      letterId = str(d.resentAs) || null;
      text = d.reason ? t('letters.eventText.because', { reason: str(d.reason) }) : null;
      break;
    case 'RESEND_OF':
      letterId = str(d.resendOf) || null;
      text = [d.reason ? t('letters.eventText.because', { reason: str(d.reason) }) : '', d.addressCorrected ? t('letters.eventText.addressCorrected') : ''].filter(Boolean).join(' ') || null;
      break;
    default:
      text = reason ? t('letters.eventText.because', { reason }) : null;
  }
  return { title, text, problems, letterId };
}

/** States after which a letter's page has nothing more to wait for (it stops refreshing). */
export const FINISHED_STATUSES: readonly string[] = ['DELIVERED', 'POSTED', 'RETURNED', 'PRINT_FAILED', 'FAILED', 'CANCELLED'];
