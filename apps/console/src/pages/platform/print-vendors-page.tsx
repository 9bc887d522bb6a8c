import { FormEvent, useState } from 'react';
import { ApiRequestError, fieldErrorOf, useGraphql, useQuery } from '../../api/graphql';
import { Alert, Button, Checkbox, DataTable, DateTime, ErrorMessage, FormActions, Loading, PageTitle, Section, SelectField, TextField } from '../../components/ui';
import { useI18n, useT } from '../../i18n/i18n';
import { ENVELOPE_PROFILES, LocalError, NEW_VENDOR_FORM, POSTAGE_CLASSES, toVendorInput, Vendor, VendorForm, vendorToForm } from './platform-forms';
import './platform.css';

interface UnacknowledgedBatch {
  batchId: string;
  tenantName: string;
  vendorId: string;
  letters: number;
  readyAt: string | null;
  acknowledgeBy: string;
  flaggedAt: string;
}

const VENDOR_FIELDS =
  'id name clientId envelopeProfile hasCustomEnvelopeProfile maxPages maxBatchLetters cutoffTimes maxWaitSeconds ackDeadlineMinutes duplex colour postageClasses active createdAt updatedAt tenantsUsing';
const VENDORS = `{ printVendors { ${VENDOR_FIELDS} } }`;
const UNACKNOWLEDGED = `{ unacknowledgedPrintBatches { batchId tenantName vendorId letters readyAt acknowledgeBy flaggedAt } }`;
const CREATE = `mutation($input: PrintVendorCreateInput!) { createPrintVendor(input: $input) { ${VENDOR_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: PrintVendorSettingsInput!) { updatePrintVendor(id: $id, input: $input) { ${VENDOR_FIELDS} } }`;

/** Print vendors (register, change, activate) and the batches vendors have not acknowledged in time. */
export default function PrintVendorsPage() {
  const t = useT();
  const { formatNumber } = useI18n();
  const vendors = useQuery<{ printVendors: Vendor[] }>(VENDORS);
  const batches = useQuery<{ unacknowledgedPrintBatches: UnacknowledgedBatch[] }>(UNACKNOWLEDGED, undefined, { pollMs: 30_000 });
  const [editing, setEditing] = useState<Vendor | 'new' | null>(null);
  const [saved, setSaved] = useState<{ vendor: Vendor; created: boolean } | null>(null);

  const open = (target: Vendor | 'new') => {
    setSaved(null);
    setEditing(target);
  };

  return (
    <>
      <PageTitle lead={t('platform.vendors.lead')}>{t('nav.platform.printVendors')}</PageTitle>
      {saved && <Alert kind="success">{t(saved.created ? 'platform.vendors.created' : 'platform.vendors.saved', { name: saved.vendor.name })}</Alert>}
      {editing && (
        <VendorEditor
          key={editing === 'new' ? 'new' : editing.id}
          vendor={editing === 'new' ? null : editing}
          onSaved={(vendor) => {
            setSaved({ vendor, created: editing === 'new' });
            setEditing(null);
            vendors.reload();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      <Section title={t('platform.vendors.listTitle')} actions={!editing && <Button onClick={() => open('new')}>{t('platform.vendors.new')}</Button>}>
        {vendors.error && <ErrorMessage error={vendors.error} onRetry={vendors.reload} />}
        {vendors.loading && !vendors.data && <Loading />}
        {vendors.data && (
          <DataTable<Vendor>
            caption={t('platform.vendors.caption', { count: vendors.data.printVendors.length })}
            rows={vendors.data.printVendors}
            rowKey={(v) => v.id}
            empty={t('platform.vendors.empty')}
            columns={[
              {
                key: 'name',
                header: t('platform.vendors.name'),
                cell: (v) => (
                  <>
                    {v.name}
                    <br />
                    <code className="muted">{v.id}</code>{' '}
                    <span className={`badge badge-${v.active ? 'good' : 'neutral'}`}>{t(v.active ? 'platform.vendors.active' : 'platform.vendors.inactive')}</span>
                  </>
                ),
              },
              { key: 'client', header: t('platform.vendors.clientId'), cell: (v) => <code className="wrap">{v.clientId}</code> },
              { key: 'postage', header: t('platform.vendors.postageClasses'), cell: (v) => v.postageClasses.map((c) => t(`platform.postage.${c}`)).join(', ') },
              {
                key: 'batches',
                header: t('platform.vendors.batchesClose'),
                cell: (v) => (
                  <ul className="plain">
                    <li>{v.cutoffTimes.length ? t('platform.vendors.atCutoffs', { times: v.cutoffTimes.join(', ') }) : t('platform.vendors.noCutoffs')}</li>
                    <li>
                      {v.maxWaitSeconds === null
                        ? t('platform.vendors.noMaxWait')
                        : t('platform.vendors.afterWait', { wait: t('platform.vendors.seconds', { n: formatNumber(v.maxWaitSeconds) }) })}
                    </li>
                    <li>{t('platform.vendors.whenFull', { n: formatNumber(v.maxBatchLetters) })}</li>
                  </ul>
                ),
              },
              { key: 'ack', header: t('platform.vendors.ackDeadline'), numeric: true, cell: (v) => t('platform.vendors.minutes', { n: formatNumber(v.ackDeadlineMinutes) }) },
              { key: 'profile', header: t('platform.vendors.envelopeProfile'), cell: (v) => (v.hasCustomEnvelopeProfile ? t('platform.vendors.customProfile') : v.envelopeProfile) },
              { key: 'using', header: t('platform.vendors.tenantsUsing'), cell: (v) => (v.tenantsUsing.length ? v.tenantsUsing.join(', ') : t('platform.vendors.nobody')) },
              {
                key: 'actions',
                header: t('platform.actions'),
                cell: (v) => (
                  <Button variant="secondary" onClick={() => open(v)} aria-label={t('platform.vendors.editOf', { name: v.name })}>
                    {t('action.edit')}
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Section>
      <Section title={t('platform.vendors.unacknowledgedTitle')}>
        <p className="hint">{t('platform.vendors.unacknowledgedHint')}</p>
        {batches.error && <ErrorMessage error={batches.error} onRetry={batches.reload} />}
        {batches.loading && !batches.data && <Loading />}
        {batches.data && (
          <DataTable<UnacknowledgedBatch>
            caption={t('platform.vendors.unacknowledgedCaption', { count: batches.data.unacknowledgedPrintBatches.length })}
            hideCaption
            rows={batches.data.unacknowledgedPrintBatches}
            rowKey={(b) => b.batchId}
            empty={t('platform.vendors.unacknowledgedEmpty')}
            columns={[
              { key: 'batch', header: t('platform.vendors.batch'), cell: (b) => <code title={b.batchId}>{b.batchId.slice(0, 8)}</code> },
              { key: 'tenant', header: t('platform.vendors.tenant'), cell: (b) => b.tenantName },
              { key: 'vendor', header: t('platform.vendors.vendor'), cell: (b) => b.vendorId },
              { key: 'letters', header: t('platform.vendors.letters'), numeric: true, cell: (b) => formatNumber(b.letters) },
              { key: 'ready', header: t('platform.vendors.readyAt'), cell: (b) => <DateTime value={b.readyAt} /> },
              { key: 'by', header: t('platform.vendors.acknowledgeBy'), cell: (b) => <DateTime value={b.acknowledgeBy} /> },
              { key: 'flagged', header: t('platform.vendors.flaggedAt'), cell: (b) => <DateTime value={b.flaggedAt} /> },
            ]}
          />
        )}
      </Section>
    </>
  );
}

/** The create/edit form; an edit that deactivates the vendor asks for confirmation first. */
export function VendorEditor({ vendor, onSaved, onCancel }: { vendor: Vendor | null; onSaved(v: Vendor): void; onCancel(): void }) {
  const t = useT();
  const { request } = useGraphql();
  const submit = async (input: Record<string, unknown>) => {
    const saved = vendor
      ? (await request<{ updatePrintVendor: Vendor }>(UPDATE, { id: vendor.id, input })).updatePrintVendor
      : (await request<{ createPrintVendor: Vendor }>(CREATE, { input })).createPrintVendor;
    onSaved(saved);
  };
  return <VendorFormView vendor={vendor} onCancel={onCancel} onSubmit={submit} title={vendor ? t('platform.vendors.editOf', { name: vendor.name }) : t('platform.vendors.new')} />;
}

/** The vendor form itself: sends the input through `onSubmit` (which throws the API's error). */
export function VendorFormView({ vendor, onSubmit, onCancel, title }: { vendor: Vendor | null; onSubmit(input: Record<string, unknown>): Promise<void>; onCancel(): void; title: string }) {
  const t = useT();
  const [form, setForm] = useState<VendorForm>(vendor ? vendorToForm(vendor) : NEW_VENDOR_FORM);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<LocalError[]>([]);
  const [confirming, setConfirming] = useState(false);
  const set = <K extends keyof VendorForm>(key: K, value: VendorForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const err = (path: string) => {
    const mine = local.find((l) => l.path === path);
    return mine ? t(mine.key) : fieldErrorOf(error, path, { exact: true });
  };
  const deactivating = !!vendor?.active && !form.active;

  const save = async () => {
    const { input, errors } = toVendorInput(form, vendor ? 'update' : 'create');
    setLocal(errors);
    setError(null);
    if (errors.length) return;
    setBusy(true);
    try {
      await onSubmit(input);
    } catch (e) {
      setError(e);
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (deactivating && !confirming) setConfirming(true);
    else void save();
  };

  const invalid = local.length > 0 || (error instanceof ApiRequestError && error.code === 'VALIDATION_FAILED');
  return (
    <Section title={title}>
      <form onSubmit={submit} noValidate aria-label={title}>
        {invalid && <Alert kind="error">{t('form.invalid')}</Alert>}
        {error && !invalid ? <ErrorMessage error={error} /> : null}
        {vendor ? (
          <p>
            {t('platform.vendors.id')}: <code>{vendor.id}</code>
          </p>
        ) : (
          <TextField label={t('platform.vendors.id')} hint={t('platform.vendors.idHint')} value={form.id} onChange={(e) => set('id', e.target.value)} error={err('id')} required spellCheck={false} />
        )}
        <TextField label={t('platform.vendors.name')} value={form.name} onChange={(e) => set('name', e.target.value)} error={err('name')} required />
        <TextField label={t('platform.vendors.clientId')} hint={t('platform.vendors.clientIdHint')} value={form.clientId} onChange={(e) => set('clientId', e.target.value)} error={err('clientId')} required spellCheck={false} />
        <fieldset>
          <legend>{t('platform.vendors.batching')}</legend>
          <TextField label={t('platform.vendors.cutoffTimes')} hint={t('platform.vendors.cutoffTimesHint')} value={form.cutoffTimes} onChange={(e) => set('cutoffTimes', e.target.value)} error={err('cutoffTimes')} />
          <TextField label={t('platform.vendors.maxWaitSeconds')} hint={t('platform.vendors.maxWaitHint')} value={form.maxWaitSeconds} onChange={(e) => set('maxWaitSeconds', e.target.value)} error={err('maxWaitSeconds')} inputMode="numeric" />
          <TextField label={t('platform.vendors.maxBatchLetters')} hint={t('platform.vendors.maxBatchLettersHint')} value={form.maxBatchLetters} onChange={(e) => set('maxBatchLetters', e.target.value)} error={err('maxBatchLetters')} required inputMode="numeric" />
          <TextField label={t('platform.vendors.ackDeadlineMinutes')} hint={t('platform.vendors.ackDeadlineHint')} value={form.ackDeadlineMinutes} onChange={(e) => set('ackDeadlineMinutes', e.target.value)} error={err('ackDeadlineMinutes')} required inputMode="numeric" />
        </fieldset>
        <fieldset>
          <legend>{t('platform.vendors.printing')}</legend>
          <SelectField
            label={t('platform.vendors.envelopeProfile')}
            hint={vendor?.hasCustomEnvelopeProfile ? t('platform.vendors.customProfileHint') : t('platform.vendors.envelopeProfileHint')}
            value={form.envelopeProfile}
            onChange={(e) => set('envelopeProfile', e.target.value)}
            error={err('envelopeProfile')}
            options={ENVELOPE_PROFILES.map((p) => ({ value: p, label: t(`platform.profile.${p}`) }))}
          />
          <TextField label={t('platform.vendors.maxPages')} hint={t('platform.vendors.maxPagesHint')} value={form.maxPages} onChange={(e) => set('maxPages', e.target.value)} error={err('maxPages')} required inputMode="numeric" />
          <Checkbox label={t('platform.vendors.duplex')} checked={form.duplex} onChange={(e) => set('duplex', e.target.checked)} />
          <Checkbox label={t('platform.vendors.colour')} checked={form.colour} onChange={(e) => set('colour', e.target.checked)} />
        </fieldset>
        <fieldset aria-describedby={err('postageClasses') ? 'postage-error' : undefined}>
          <legend>{t('platform.vendors.postageClasses')}</legend>
          {err('postageClasses') && (
            <p className="error-text" id="postage-error">
              {err('postageClasses')}
            </p>
          )}
          {POSTAGE_CLASSES.map((c) => (
            <Checkbox
              key={c}
              label={t(`platform.postage.${c}`)}
              checked={form.postageClasses.includes(c)}
              onChange={(e) => set('postageClasses', e.target.checked ? [...form.postageClasses, c] : form.postageClasses.filter((x) => x !== c))}
            />
          ))}
        </fieldset>
        <Checkbox
          id="vendor-active"
          label={t('platform.vendors.activeLabel')}
          hint={t('platform.vendors.activeHint')}
          checked={form.active}
          onChange={(e) => set('active', e.target.checked)}
          aria-invalid={err('active') ? true : undefined}
          aria-describedby={err('active') ? 'vendor-active-hint vendor-active-error' : 'vendor-active-hint'}
        />
        {err('active') && (
          <p className="error-text" id="vendor-active-error">
            {err('active')}
          </p>
        )}
        {confirming ? (
          <Alert kind="warning" title={t('platform.vendors.confirmDeactivate', { name: vendor?.name ?? '' })}>
            <p>{t('platform.vendors.confirmDeactivateText')}</p>
            <div className="row">
              <Button type="submit" variant="danger" busy={busy}>
                {t('platform.vendors.deactivate')}
              </Button>
              <Button variant="secondary" onClick={() => setConfirming(false)}>
                {t('action.cancel')}
              </Button>
            </div>
          </Alert>
        ) : (
          <FormActions submit={t('action.save')} busy={busy} onCancel={onCancel} />
        )}
      </form>
    </Section>
  );
}
