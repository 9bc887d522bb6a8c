import { FormEvent, useState } from 'react';
import { fieldErrorOf } from '../../../api/graphql';
import { Alert, Button, ErrorMessage, Facts, RadioGroup, Section, SelectField, TextField } from '../../../components/ui';
import { Translate, useI18n, useT } from '../../../i18n/i18n';
import type { EnvelopeProfile, PostageClass, PrintPreview, PrintVendorOption, TenantSettings } from './core-api';
import { CUSTOM, EnvelopeForm, envelopeForm, envelopeInput, ProfileNumberField, TriState, withCustomFrom } from './settings-forms';
import { PdfFrame } from './shared';

export interface EnvelopeApi {
  save(print: Record<string, unknown>): Promise<TenantSettings>;
  preview(print: Record<string, unknown>): Promise<PrintPreview>;
}

const GROUPS: { key: string; fields: ProfileNumberField[] }[] = [
  { key: 'window', fields: ['window.x', 'window.y', 'window.width', 'window.height'] },
  { key: 'senderBlock', fields: ['senderBlock.x', 'senderBlock.y', 'senderBlock.width', 'senderBlock.height'] },
  { key: 'printableArea', fields: ['printableArea.topMm', 'printableArea.rightMm', 'printableArea.bottomMm', 'printableArea.leftMm'] },
];

/** "C5-H2 – C5-kuvert, fönster till höger" in the user's language. */
export function profileLabel(t: Translate, p: Pick<EnvelopeProfile, 'id' | 'envelope'>): string {
  const side = p.id.endsWith('-H2') ? 'right' : p.id.endsWith('-V2') ? 'left' : null;
  return side ? t('settings.envelope.profileLabel', { id: p.id, envelope: p.envelope, side: t(`settings.envelope.side.${side}`) }) : p.id;
}

function ProfileFacts({ profile }: { profile: EnvelopeProfile }) {
  const t = useT();
  const { formatNumber } = useI18n();
  const rect = (r: EnvelopeProfile['window']) => t('settings.envelope.rect', { x: formatNumber(r.x), y: formatNumber(r.y), w: formatNumber(r.width), h: formatNumber(r.height) });
  const a = profile.printableArea;
  return (
    <Facts
      items={[
        [t('settings.envelope.facts.envelope'), profile.envelope],
        [t('settings.envelope.facts.window'), rect(profile.window)],
        [t('settings.envelope.facts.padding'), `${formatNumber(profile.windowPaddingMm)} mm`],
        [t('settings.envelope.facts.sender'), rect(profile.senderBlock)],
        [t('settings.envelope.facts.margins'), t('settings.envelope.margins', { top: formatNumber(a.topMm), right: formatNumber(a.rightMm), bottom: formatNumber(a.bottomMm), left: formatNumber(a.leftMm) })],
      ]}
    />
  );
}

/**
 * Envelope profile, postage, duplex, colour and vendor, with a PDF preview of a sample letter
 * rendered with the form as it is (not saved), so the admin sees where the address lands.
 */
export function EnvelopeSettingsForm({ settings, vendors, profiles, api }: { settings: TenantSettings; vendors: PrintVendorOption[]; profiles: EnvelopeProfile[]; api: EnvelopeApi }) {
  const t = useT();
  const { formatNumber } = useI18n();
  const [current, setCurrent] = useState(settings);
  const [form, setForm] = useState<EnvelopeForm>(envelopeForm(settings));
  const [notNumbers, setNotNumbers] = useState<ProfileNumberField[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<'save' | 'preview' | null>(null);
  const [saved, setSaved] = useState(false);
  const [preview, setPreview] = useState<PrintPreview | null>(null);
  const [previewError, setPreviewError] = useState<unknown>();
  const change = (next: Partial<EnvelopeForm>) => {
    setSaved(false);
    setForm((f) => ({ ...f, ...next }));
  };
  const setNumber = (field: ProfileNumberField, value: string) => {
    setSaved(false);
    setForm((f) => ({ ...f, custom: { ...f.custom, numbers: { ...f.custom.numbers, [field]: value } } }));
  };

  const input = () => {
    const out = envelopeInput(form);
    setNotNumbers(out.ok ? [] : out.fields);
    return out.ok ? out.input : null;
  };

  async function save(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    const print = input();
    if (!print) return;
    setBusy('save');
    try {
      const next = await api.save(print);
      setCurrent(next);
      setForm(envelopeForm(next));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  async function showPreview() {
    setPreviewError(undefined);
    const print = input();
    if (!print) return;
    setBusy('preview');
    try {
      setPreview(await api.preview(print));
    } catch (err) {
      setPreview(null);
      setPreviewError(err);
    } finally {
      setBusy(null);
    }
  }

  // Only active vendors take letters; one chosen earlier and since made inactive stays visible, marked.
  const active = vendors.filter((v) => v.active);
  const offered = vendors.filter((v) => v.active || v.id === current.print.vendorId);
  const vendor = form.vendorId ? active.find((v) => v.id === form.vendorId) : active.length === 1 ? active[0] : undefined;
  const vendorProfile = vendor ? profiles.find((p) => p.id === vendor.envelopeProfile) : undefined;
  const savedIsVendors = !current.print.envelopeProfile && !current.print.customEnvelopeProfile;
  const chosen = form.profile === CUSTOM ? null : form.profile ? (profiles.find((p) => p.id === form.profile) ?? null) : (vendorProfile ?? (savedIsVendors ? current.print.effectiveEnvelopeProfile : null));
  const bool = (v: boolean | undefined) => (v === undefined ? '–' : v ? t('yes') : t('no'));
  const triOptions = (vendorValue: boolean | undefined) => [
    { value: '', label: t('settings.envelope.vendorDefault', { value: bool(vendorValue) }) },
    { value: 'yes', label: t('yes') },
    { value: 'no', label: t('no') },
  ];
  const err = (path: string) => fieldErrorOf(error, `print.${path}`) ?? fieldErrorOf(previewError, `print.${path}`);
  const numberError = (f: ProfileNumberField) => (notNumbers.includes(f) ? t('settings.envelope.notNumber') : err(`customEnvelopeProfile.${f}`));

  return (
    <form className="settings-form" onSubmit={save} noValidate>
      {current.print.problem && <Alert kind="warning" title={t('settings.envelope.problemTitle')}>{current.print.problem}</Alert>}
      <Section title={t('settings.envelope.vendorTitle')}>
        <SelectField
          label={t('settings.envelope.vendor')}
          hint={t('settings.envelope.vendorHint')}
          value={form.vendorId}
          onChange={(e) => change({ vendorId: e.target.value })}
          error={err('vendorId')}
          options={[
            { value: '', label: active.length === 1 ? t('settings.envelope.onlyVendor', { name: active[0].name }) : t('settings.envelope.noVendorChosen') },
            ...offered.map((v) => ({ value: v.id, label: v.active ? v.name : t('settings.envelope.inactiveVendor', { name: v.name }) })),
          ]}
        />
        {err('postageClass') && <p className="error-text">{err('postageClass')}</p>}
        <RadioGroup
          legend={t('settings.envelope.postage')}
          hint={vendor ? t('settings.envelope.postageHintVendor', { classes: vendor.postageClasses.map((c) => t(`settings.envelope.postage.${c}`)).join(', ') }) : t('settings.envelope.postageHint')}
          name="postageClass"
          value={form.postageClass}
          onChange={(v) => change({ postageClass: v as PostageClass })}
          options={(['ECONOMY', 'FIRST_CLASS'] as const).map((v) => ({ value: v, label: t(`settings.envelope.postage.${v}`) }))}
        />
        <SelectField label={t('settings.envelope.duplex')} hint={t('settings.envelope.duplexHint')} value={form.duplex} onChange={(e) => change({ duplex: e.target.value as TriState })} options={triOptions(vendor?.duplex)} />
        <SelectField label={t('settings.envelope.colour')} hint={t('settings.envelope.colourHint')} value={form.colour} onChange={(e) => change({ colour: e.target.value as TriState })} options={triOptions(vendor?.colour)} />
      </Section>

      <Section title={t('settings.envelope.profileTitle')}>
        <SelectField
          label={t('settings.envelope.profile')}
          hint={t('settings.envelope.profileHint')}
          value={form.profile}
          error={err('envelopeProfile')}
          onChange={(e) => {
            const value = e.target.value;
            // A new own profile starts from the one chosen before (its numbers are then adjusted).
            if (value === CUSTOM && form.profile !== CUSTOM && chosen && !current.print.customEnvelopeProfile) change({ ...withCustomFrom(form, chosen), profile: CUSTOM });
            else change({ profile: value });
          }}
          options={[
            { value: '', label: vendorProfile ? t('settings.envelope.vendorProfileNamed', { name: profileLabel(t, vendorProfile) }) : t('settings.envelope.vendorProfile') },
            ...profiles.map((p) => ({ value: p.id, label: profileLabel(t, p) })),
            { value: CUSTOM, label: t('settings.envelope.customProfile') },
          ]}
        />
        {chosen && <ProfileFacts profile={chosen} />}
        {form.profile === CUSTOM && (
          <>
            <p>{t('settings.envelope.customLead')}</p>
            {err('customEnvelopeProfile') && !GROUPS.some((g) => err(`customEnvelopeProfile.${g.key}`)) && <p className="error-text">{err('customEnvelopeProfile')}</p>}
            <TextField label={t('settings.envelope.customName')} value={form.custom.name} onChange={(e) => change({ custom: { ...form.custom, name: e.target.value } })} required error={err('customEnvelopeProfile.name')} />
            <SelectField
              label={t('settings.envelope.customEnvelope')}
              hint={t('settings.envelope.customEnvelopeHint')}
              value={form.custom.envelope}
              onChange={(e) => change({ custom: { ...form.custom, envelope: e.target.value } })}
              error={err('customEnvelopeProfile.envelope')}
              options={['C5', 'C4', 'C5/6'].map((v) => ({ value: v, label: t(`settings.envelope.format.${v}`) }))}
            />
            <TextField
              label={t('settings.envelope.customSource')}
              hint={t('settings.envelope.customSourceHint')}
              value={form.custom.source}
              onChange={(e) => change({ custom: { ...form.custom, source: e.target.value } })}
              required
              error={err('customEnvelopeProfile.source')}
            />
            {GROUPS.map((g) => {
              const groupError = fieldErrorOf(error, `print.customEnvelopeProfile.${g.key}`) ?? fieldErrorOf(previewError, `print.customEnvelopeProfile.${g.key}`);
              return (
                <fieldset key={g.key}>
                  <legend>{t(`settings.envelope.group.${g.key}`)}</legend>
                  <p className="hint">{t(`settings.envelope.groupHint.${g.key}`)}</p>
                  {groupError && <p className="error-text">{groupError}</p>}
                  <div className="mm-fields">
                    {g.fields.map((f) => (
                      <TextField key={f} label={t(`settings.envelope.number.${f}`)} inputMode="decimal" value={form.custom.numbers[f]} onChange={(e) => setNumber(f, e.target.value)} error={numberError(f)} />
                    ))}
                  </div>
                </fieldset>
              );
            })}
            <TextField
              label={t('settings.envelope.number.windowPaddingMm')}
              hint={t('settings.envelope.paddingHint')}
              inputMode="decimal"
              value={form.custom.numbers.windowPaddingMm}
              onChange={(e) => setNumber('windowPaddingMm', e.target.value)}
              error={numberError('windowPaddingMm')}
            />
          </>
        )}
      </Section>

      {error !== undefined && <ErrorMessage error={error} />}
      {notNumbers.length > 0 && <Alert kind="error">{t('settings.envelope.fixNumbers')}</Alert>}
      {saved && <Alert kind="success">{t('settings.envelope.saved')}</Alert>}
      <div className="actions">
        <Button type="submit" busy={busy === 'save'}>
          {t('action.save')}
        </Button>
        <Button variant="secondary" onClick={() => void showPreview()} busy={busy === 'preview'}>
          {t('settings.envelope.preview')}
        </Button>
      </div>

      {(preview || previewError !== undefined) && (
        <Section title={t('settings.envelope.previewTitle')}>
          {previewError !== undefined && <ErrorMessage error={previewError} />}
          {preview && preview.problems.length > 0 && (
            <Alert kind="warning" title={t('settings.envelope.previewProblems')}>
              <ul>
                {preview.problems.map((p, i) => (
                  <li key={i}>
                    <code>{p.code}</code>
                    {p.field ? ` (${p.field})` : ''}: {p.message}
                  </li>
                ))}
              </ul>
            </Alert>
          )}
          {preview?.pdfBase64 && (
            <>
              <p>{t('settings.envelope.previewLead')}</p>
              <Facts
                items={[
                  [t('settings.envelope.facts.profile'), preview.envelopeProfile ? preview.envelopeProfile.id : '–'],
                  [t('settings.envelope.facts.pages'), formatNumber(preview.pages ?? 0)],
                  [t('settings.envelope.duplex'), bool(preview.duplex)],
                  [t('settings.envelope.facts.address'), preview.addressLines.join(', ')],
                ]}
              />
              <PdfFrame base64={preview.pdfBase64} title={t('settings.envelope.previewFrame')} />
            </>
          )}
        </Section>
      )}
    </form>
  );
}
