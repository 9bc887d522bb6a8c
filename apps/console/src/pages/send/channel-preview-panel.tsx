import { ReactNode } from 'react';
import { Facts } from '../../components/ui';
import { Translate, useT } from '../../i18n/i18n';
import type { ChannelPreview } from './send-api';

/** What the panel shows: nothing yet, an answer, a draft the API would refuse, or an answer for an older draft. */
export type PreviewState = { kind: 'none' } | { kind: 'answer'; preview: ChannelPreview; stale: boolean } | { kind: 'refused' } | { kind: 'failed' };

const TONE: Record<ChannelPreview['channel'], string> = { DIGITAL: 'good', PRINT: 'info', HOLD: 'warn', UNDELIVERABLE: 'bad' };

/** A code in words when the console knows it, else the API's own words. */
function words(t: Translate, key: string, fallback: string): string {
  const text = t(key);
  return text === key ? fallback : text;
}

/** The tenant setting the decision names, in words (printByProtectionClass.<class> carries the class). */
export function settingWords(t: Translate, setting: string): string {
  const [name, cls] = setting.split('.');
  return words(t, `send.setting.${name}`, setting).replaceAll('{class}', cls ?? '');
}

/** The reason line: why not digital, and what held or stopped the letter. */
export function reasonWords(t: Translate, p: ChannelPreview): string {
  if (p.channel === 'DIGITAL') return t('send.preview.reachable', { operator: p.operator?.name ?? '' });
  const parts = [words(t, `send.reason.${p.reason}`, p.explanation)];
  if (p.holdReason) parts.push(words(t, `send.hold.${p.holdReason}`, p.holdReason));
  if (p.printBlockedBy) parts.push(words(t, `send.blocked.${p.printBlockedBy}`, p.printBlockedBy));
  return parts.join(' ');
}

/**
 * The answer of channelPreview in a live region (role=status), so that it is announced when it
 * arrives: the channel, why, the operator, and what the case type and the municipality's rules did.
 */
export function ChannelPreviewPanel({ state, busy }: { state: PreviewState; busy: boolean }) {
  const t = useT();
  let content: ReactNode = null;
  if (busy) content = <p className="muted">{t('send.preview.busy')}</p>;
  else if (state.kind === 'refused') content = <p className="preview-refused">{t('send.preview.refused')}</p>;
  else if (state.kind === 'failed') content = <p className="preview-refused">{t('send.preview.failed')}</p>;
  else if (state.kind === 'answer') {
    const p = state.preview;
    const items: [ReactNode, ReactNode][] = [[t('send.preview.why'), reasonWords(t, p)]];
    if (p.operator) items.push([t('send.preview.operator'), p.operator.name]);
    items.push([t('send.preview.class'), p.protectionClassFromCaseType ? t('send.preview.classFromCaseType', { class: p.protectionClass }) : String(p.protectionClass)]);
    items.push([
      t('send.preview.channelPreference'),
      p.channelPreference === p.requestedChannelPreference
        ? t(`channel.${p.channelPreference}`)
        : t('send.preview.narrowed', { from: t(`channel.${p.requestedChannelPreference}`), to: t(`channel.${p.channelPreference}`) }),
    ]);
    if (p.caseType) {
      items.push([
        t('send.preview.caseType'),
        t('send.preview.caseTypeRules', {
          name: p.caseType.name,
          class: p.caseType.defaultProtectionClass,
          channels: p.caseType.allowedChannels.map((c) => t(`channel.${c}`)).join(', '),
        }),
      ]);
    }
    if (p.decidedByTenantSetting) items.push([t('send.preview.tenantRule'), settingWords(t, p.decidedByTenantSetting)]);
    content = (
      <>
        {state.stale && <p className="preview-stale">{t('send.preview.stale')}</p>}
        <p className={`preview-channel${state.stale ? ' is-stale' : ''}`}>
          <span className={`badge badge-${TONE[p.channel]}`}>{t(`channel.${p.channel}`)}</span> {t(`send.preview.channel.${p.channel}`)}
        </p>
        <Facts items={items} />
        <p className="muted">{t('send.preview.note')}</p>
      </>
    );
  } else content = <p className="muted">{t('send.preview.none')}</p>;
  return (
    <div className="preview-panel" id="channel-preview" role="status" aria-labelledby="channel-preview-title">
      <h3 id="channel-preview-title">{t('send.preview.title')}</h3>
      {content}
    </div>
  );
}
