import { useMemo } from 'react';
import { useGraphql, useQuery } from '../../api/graphql';
import { ErrorMessage, Loading, PageTitle, Section } from '../../components/ui';
import { useT } from '../../i18n/i18n';
import { ProtectionClassRule, RULES, SET_POLICY, TenantSettings, UPDATE_SETTINGS } from './core/core-api';
import { PolicyApi, ProtectionClassPolicyTable } from './core/policy-table';
import { ChannelRulesForm, RulesApi } from './core/rules-form';
import './core/settings-core.css';

/** /settings/rules: what happens to a letter that cannot go digitally, and what each protection class allows. */
export default function RulesPage() {
  const t = useT();
  const { request } = useGraphql();
  const data = useQuery<{ tenantSettings: TenantSettings; protectionClassPolicy: ProtectionClassRule[] }>(RULES);
  const rulesApi = useMemo<RulesApi>(
    () => ({ save: async (input) => (await request<{ updateTenantSettings: TenantSettings }>(UPDATE_SETTINGS, { input })).updateTenantSettings }),
    [request],
  );
  const policyApi = useMemo<PolicyApi>(
    () => ({ save: async (rules) => (await request<{ setProtectionClassPolicy: ProtectionClassRule[] }>(SET_POLICY, { rules })).setProtectionClassPolicy }),
    [request],
  );

  return (
    <>
      <PageTitle lead={t('settings.rules.lead')}>{t('nav.settings.rules')}</PageTitle>
      {data.error && <ErrorMessage error={data.error} onRetry={data.reload} />}
      {data.loading && !data.data && <Loading />}
      {data.data && (
        <>
          <Section title={t('settings.rules.channelTitle')}>
            <p>{t('settings.rules.channelLead')}</p>
            <ChannelRulesForm settings={data.data.tenantSettings} api={rulesApi} />
          </Section>
          <Section title={t('settings.rules.policyTitle')}>
            <p>{t('settings.rules.policyLead')}</p>
            <ProtectionClassPolicyTable policy={data.data.protectionClassPolicy} api={policyApi} />
          </Section>
        </>
      )}
    </>
  );
}
