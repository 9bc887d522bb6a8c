import { useMemo } from 'react';
import { useGraphql, useQuery } from '../../api/graphql';
import { ErrorMessage, Loading, PageTitle } from '../../components/ui';
import { useT } from '../../i18n/i18n';
import { ENVELOPE, EnvelopeProfile, PRINT_PREVIEW, PrintPreview, PrintVendorOption, TenantSettings, UPDATE_SETTINGS } from './core/core-api';
import { EnvelopeApi, EnvelopeSettingsForm } from './core/envelope-form';
import './core/settings-core.css';

/** /settings/envelope: envelope profile, postage, duplex, colour and print vendor, with a PDF preview before saving. */
export default function EnvelopePage() {
  const t = useT();
  const { request } = useGraphql();
  const data = useQuery<{ tenantSettings: TenantSettings; tenantPrintOptions: { vendors: PrintVendorOption[]; envelopeProfiles: EnvelopeProfile[] } }>(ENVELOPE);
  const api = useMemo<EnvelopeApi>(
    () => ({
      save: async (print) => (await request<{ updateTenantSettings: TenantSettings }>(UPDATE_SETTINGS, { input: { print } })).updateTenantSettings,
      preview: async (print) => (await request<{ printPreview: PrintPreview }>(PRINT_PREVIEW, { print })).printPreview,
    }),
    [request],
  );
  return (
    <>
      <PageTitle lead={t('settings.envelope.lead')}>{t('nav.settings.envelope')}</PageTitle>
      {data.error && <ErrorMessage error={data.error} onRetry={data.reload} />}
      {data.loading && !data.data && <Loading />}
      {data.data && <EnvelopeSettingsForm settings={data.data.tenantSettings} vendors={data.data.tenantPrintOptions.vendors} profiles={data.data.tenantPrintOptions.envelopeProfiles} api={api} />}
    </>
  );
}
