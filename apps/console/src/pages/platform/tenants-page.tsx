import { FormEvent, useState } from 'react';
import { ApiRequestError, fieldErrorOf, useGraphql, useQuery } from '../../api/graphql';
import { Alert, Button, Checkbox, DataTable, DateTime, ErrorMessage, FormActions, Loading, PageTitle, Section, SelectField, TextArea, TextField } from '../../components/ui';
import { useI18n, useT } from '../../i18n/i18n';
import { EMPTY_TENANT_FORM, formatOrgNumber, LocalError, suggestAlias, TenantForm, toOnboardInput } from './platform-forms';
import './platform.css';

interface Tenant {
  id: string;
  alias: string;
  name: string;
  orgNumber: string;
  createdAt: string;
  printVendorId: string | null;
  sendingUnits: number;
  lettersLast30Days: number;
}

const TENANT_FIELDS = 'id alias name orgNumber createdAt printVendorId sendingUnits lettersLast30Days';
const TENANTS = `{ tenants { ${TENANT_FIELDS} } printVendors { id name active } }`;
const ONBOARD = `mutation($input: OnboardTenantInput!) { onboardTenant(input: $input) { ${TENANT_FIELDS} } }`;
const RENAME = `mutation($id: ID!, $name: String) { updateTenant(id: $id, input: { name: $name }) { ${TENANT_FIELDS} } }`;

/** The platform admin's municipalities: the list with their use, renaming, and onboarding a new one. */
export default function TenantsPage() {
  const t = useT();
  const { formatNumber } = useI18n();
  const list = useQuery<{ tenants: Tenant[]; printVendors: { id: string; name: string; active: boolean }[] }>(TENANTS);
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ kind: 'onboarded' | 'renamed'; tenant: Tenant } | null>(null);

  const renamingTenant = list.data?.tenants.find((x) => x.id === renaming);
  const done = (kind: 'onboarded' | 'renamed', tenant: Tenant) => {
    setNotice({ kind, tenant });
    setCreating(false);
    setRenaming(null);
    list.reload();
  };

  return (
    <>
      <PageTitle lead={t('platform.tenants.lead')}>{t('nav.platform.tenants')}</PageTitle>
      {notice?.kind === 'onboarded' && (
        <Alert kind="success" title={t('platform.tenants.onboarded', { name: notice.tenant.name })}>
          <p>{t('platform.tenants.nextSteps', { alias: notice.tenant.alias })}</p>
        </Alert>
      )}
      {notice?.kind === 'renamed' && <Alert kind="success">{t('platform.tenants.renamed', { name: notice.tenant.name })}</Alert>}
      {renamingTenant && <RenameForm key={renamingTenant.id} tenant={renamingTenant} onDone={(tenant) => done('renamed', tenant)} onCancel={() => setRenaming(null)} />}
      {creating && (
        <OnboardingForm vendors={(list.data?.printVendors ?? []).filter((v) => v.active)} onDone={(tenant) => done('onboarded', tenant)} onCancel={() => setCreating(false)} />
      )}
      <Section
        title={t('platform.tenants.listTitle')}
        actions={
          !creating && (
            <Button
              onClick={() => {
                setNotice(null);
                setCreating(true);
              }}
            >
              {t('platform.tenants.new')}
            </Button>
          )
        }
      >
        {list.error && <ErrorMessage error={list.error} onRetry={list.reload} />}
        {list.loading && !list.data && <Loading />}
        {list.data && (
          <DataTable<Tenant>
            caption={t('platform.tenants.caption', { count: list.data.tenants.length })}
            rows={list.data.tenants}
            rowKey={(r) => r.id}
            empty={t('platform.tenants.empty')}
            columns={[
              {
                key: 'name',
                header: t('platform.tenants.name'),
                cell: (r) => r.name,
              },
              { key: 'alias', header: t('platform.tenants.alias'), cell: (r) => <code>{r.alias}</code> },
              { key: 'org', header: t('platform.tenants.orgNumber'), cell: (r) => formatOrgNumber(r.orgNumber) },
              { key: 'units', header: t('platform.tenants.sendingUnits'), numeric: true, cell: (r) => formatNumber(r.sendingUnits) },
              { key: 'letters', header: t('platform.tenants.letters30'), numeric: true, cell: (r) => formatNumber(r.lettersLast30Days) },
              { key: 'vendor', header: t('platform.tenants.vendor'), cell: (r) => r.printVendorId ?? t('platform.tenants.vendorDefault') },
              { key: 'created', header: t('platform.tenants.created'), cell: (r) => <DateTime value={r.createdAt} /> },
              {
                key: 'actions',
                header: t('platform.actions'),
                cell: (r) => (
                  <Button
                    variant="secondary"
                    onClick={() => {
                      setNotice(null);
                      setRenaming(r.id);
                    }}
                    aria-label={t('platform.tenants.renameOf', { name: r.name })}
                  >
                    {t('platform.tenants.rename')}
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Section>
    </>
  );
}

function RenameForm({ tenant, onDone, onCancel }: { tenant: Tenant; onDone(t: Tenant): void; onCancel(): void }) {
  const t = useT();
  const { request } = useGraphql();
  const [name, setName] = useState(tenant.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onDone((await request<{ updateTenant: Tenant }>(RENAME, { id: tenant.id, name })).updateTenant);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title={t('platform.tenants.renameOf', { name: tenant.name })}>
      <form onSubmit={(e) => void submit(e)} noValidate aria-label={t('platform.tenants.renameOf', { name: tenant.name })}>
        <TextField label={t('platform.tenants.newName')} value={name} onChange={(e) => setName(e.target.value)} error={fieldErrorOf(error, 'name', { exact: true })} required />
        {error && !fieldErrorOf(error, 'name', { exact: true }) ? <ErrorMessage error={error} /> : null}
        <FormActions submit={t('action.save')} busy={busy} onCancel={onCancel} />
      </form>
    </Section>
  );
}

function OnboardingForm({ vendors, onDone, onCancel }: { vendors: { id: string; name: string }[]; onDone(t: Tenant): void; onCancel(): void }) {
  const t = useT();
  const { request } = useGraphql();
  const [form, setForm] = useState<TenantForm>(EMPTY_TENANT_FORM);
  const [aliasTouched, setAliasTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<LocalError[]>([]);
  const set = <K extends keyof TenantForm>(key: K, value: TenantForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const err = (path: string) => {
    const mine = local.find((l) => l.path === path);
    return mine ? t(mine.key) : fieldErrorOf(error, path, { exact: true });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const { input, errors } = toOnboardInput(form);
    setLocal(errors);
    setError(null);
    if (errors.length) return;
    setBusy(true);
    try {
      onDone((await request<{ onboardTenant: Tenant }>(ONBOARD, { input })).onboardTenant);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const invalid = local.length > 0 || (error instanceof ApiRequestError && error.code === 'VALIDATION_FAILED');
  return (
    <Section title={t('platform.tenants.new')}>
      <form onSubmit={(e) => void submit(e)} noValidate aria-label={t('platform.tenants.new')}>
        {invalid && <Alert kind="error">{t('form.invalid')}</Alert>}
        {error && !invalid ? <ErrorMessage error={error} /> : null}
        <fieldset>
          <legend>{t('platform.tenants.municipality')}</legend>
          <TextField
            label={t('platform.tenants.name')}
            hint={t('platform.tenants.nameHint')}
            value={form.name}
            onChange={(e) => {
              const name = e.target.value;
              setForm((f) => ({ ...f, name, ...(aliasTouched ? {} : { alias: suggestAlias(name) }) }));
            }}
            error={err('name')}
            required
          />
          <TextField
            label={t('platform.tenants.alias')}
            hint={t('platform.tenants.aliasHint')}
            value={form.alias}
            onChange={(e) => {
              setAliasTouched(true);
              set('alias', e.target.value);
            }}
            error={err('alias')}
            required
            spellCheck={false}
          />
          <TextField label={t('platform.tenants.orgNumber')} hint={t('platform.orgNumberHint')} value={form.orgNumber} onChange={(e) => set('orgNumber', e.target.value)} error={err('orgNumber')} required inputMode="numeric" />
        </fieldset>
        <fieldset>
          <legend>{t('platform.tenants.firstUnit')}</legend>
          <p className="hint">{t('platform.tenants.firstUnitHint')}</p>
          <TextField label={t('platform.tenants.unitCode')} hint={t('platform.tenants.unitCodeHint')} value={form.unitCode} onChange={(e) => set('unitCode', e.target.value)} error={err('firstSendingUnit.code')} required />
          <TextField label={t('platform.tenants.unitName')} hint={t('platform.tenants.unitNameHint')} value={form.unitName} onChange={(e) => set('unitName', e.target.value)} error={err('firstSendingUnit.name')} required />
          <TextField
            label={t('platform.tenants.unitOrgNumber')}
            hint={t('platform.orgNumberHint')}
            value={form.unitOrgNumber}
            onChange={(e) => set('unitOrgNumber', e.target.value)}
            error={err('firstSendingUnit.orgNumber')}
            required
            inputMode="numeric"
          />
          <TextArea
            label={t('platform.tenants.addressLines')}
            hint={t('platform.tenants.addressLinesHint')}
            value={form.addressLines}
            onChange={(e) => set('addressLines', e.target.value)}
            error={err('firstSendingUnit.postalAddress.lines')}
            required
            rows={3}
            className="short"
          />
          <div className="row">
            <TextField label={t('platform.tenants.postalCode')} value={form.postalCode} onChange={(e) => set('postalCode', e.target.value)} error={err('firstSendingUnit.postalAddress.postalCode')} required inputMode="numeric" />
            <TextField label={t('platform.tenants.city')} value={form.city} onChange={(e) => set('city', e.target.value)} error={err('firstSendingUnit.postalAddress.city')} required />
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('platform.tenants.rules')}</legend>
          <p className="hint">{t('platform.tenants.rulesHint')}</p>
          <Checkbox label={t('platform.tenants.printAllowed')} checked={form.printAllowed} onChange={(e) => set('printAllowed', e.target.checked)} />
          <Checkbox label={t('platform.tenants.fallbackToPrint')} checked={form.fallbackToPrint} onChange={(e) => set('fallbackToPrint', e.target.checked)} />
          <TextField
            label={t('platform.tenants.deadlineHours')}
            hint={t('platform.tenants.deadlineHoursHint')}
            value={form.deadlineHours}
            onChange={(e) => set('deadlineHours', e.target.value)}
            error={err('settings.deadlineHours')}
            inputMode="numeric"
          />
          <SelectField
            label={t('platform.tenants.protectedIdentityRule')}
            value={form.protectedIdentityRule}
            onChange={(e) => set('protectedIdentityRule', e.target.value)}
            error={err('settings.protectedIdentityRule')}
            options={['HOLD', 'UNDELIVERABLE', 'PRINT_GIVEN_ADDRESS'].map((v) => ({ value: v, label: t(`platform.rule.protected.${v}`) }))}
          />
          <SelectField
            label={t('platform.tenants.missingAddressRule')}
            value={form.missingAddressRule}
            onChange={(e) => set('missingAddressRule', e.target.value)}
            error={err('settings.missingAddressRule')}
            options={['HOLD', 'UNDELIVERABLE'].map((v) => ({ value: v, label: t(`platform.rule.missingAddress.${v}`) }))}
          />
          <SelectField
            label={t('platform.tenants.vendor')}
            value={form.printVendorId}
            onChange={(e) => set('printVendorId', e.target.value)}
            error={err('settings.printVendorId')}
            options={[{ value: '', label: t('platform.tenants.vendorDefault') }, ...vendors.map((v) => ({ value: v.id, label: v.name }))]}
          />
          <SelectField
            label={t('platform.tenants.postageClass')}
            value={form.postageClass}
            onChange={(e) => set('postageClass', e.target.value)}
            error={err('settings.postageClass')}
            options={['ECONOMY', 'FIRST_CLASS'].map((v) => ({ value: v, label: t(`platform.postage.${v}`) }))}
          />
        </fieldset>
        <FormActions submit={t('platform.tenants.submit')} busy={busy} onCancel={onCancel} />
      </form>
    </Section>
  );
}
