import { FormEvent, useState } from 'react';
import { fieldErrorOf, useGraphql, useQuery } from '../../api/graphql';
import { Alert, Button, DataTable, DateTime, ErrorMessage, FormActions, Loading, PageTitle, Section, SelectField, TextField } from '../../components/ui';
import { useT } from '../../i18n/i18n';
import { API_CLIENTS, ApiClient, ApiClientCredentials, CREATE_API_CLIENT, REVOKE_API_CLIENT, ROTATE_API_CLIENT, SENDING_UNIT_CHOICES } from './integrations/api';
import { SecretOnce, useAction, useConfirm } from './integrations/shared';
import './integrations/integrations.css';

/** `/settings/api-clients`: the municipality's case systems, registered at the identity provider by the hub. */
export default function ApiClientsPage() {
  const t = useT();
  const { request } = useGraphql();
  const list = useQuery<{ apiClients: ApiClient[] }>(API_CLIENTS);
  const units = useQuery<{ sendingUnits: { code: string; name: string }[] }>(SENDING_UNIT_CHOICES);
  const action = useAction();
  const confirm = useConfirm(action.busy);
  const [creating, setCreating] = useState(false);
  const [credentials, setCredentials] = useState<{ title: string; c: ApiClientCredentials }>();

  const close = () => {
    setCreating(false);
    action.reset();
  };
  const create = async (name: string, sendingUnit: string | null) => {
    const r = await action.run(() => request<{ createApiClient: ApiClientCredentials }>(CREATE_API_CLIENT, { name, sendingUnit }));
    if (r) {
      close();
      action.setDone(t('settings.apiClients.created', { name: r.createApiClient.apiClient.name }));
      setCredentials({ title: t('settings.apiClients.credentialsTitle', { name: r.createApiClient.apiClient.name }), c: r.createApiClient });
      list.reload();
    }
  };
  const rotate = async (c: ApiClient) => {
    const r = await action.run(() => request<{ rotateApiClientSecret: ApiClientCredentials }>(ROTATE_API_CLIENT, { id: c.id }));
    if (r) {
      action.setDone(t('settings.apiClients.rotated', { name: c.name }));
      setCredentials({ title: t('settings.apiClients.rotatedTitle', { name: c.name }), c: r.rotateApiClientSecret });
      list.reload();
    }
  };
  const revoke = async (c: ApiClient) => {
    const r = await action.run(() => request<{ revokeApiClient: ApiClient }>(REVOKE_API_CLIENT, { id: c.id }));
    if (r) {
      const after = r.revokeApiClient;
      action.setDone(after.identityProviderError ? t('settings.apiClients.revokedIdpFailed', { name: c.name }) : t('settings.apiClients.revoked', { name: c.name }));
      if (credentials?.c.apiClient.id === c.id) setCredentials(undefined);
      list.reload();
    }
  };

  const clients = list.data?.apiClients ?? [];
  return (
    <>
      <PageTitle lead={t('settings.apiClients.lead')}>{t('nav.settings.apiClients')}</PageTitle>
      {action.done && <Alert kind="success">{action.done}</Alert>}
      {!creating && <ErrorMessage error={action.error} />}
      {confirm.panel}
      {credentials && (
        <SecretOnce
          title={credentials.title}
          values={[
            { label: t('settings.apiClients.clientId'), value: credentials.c.clientId },
            { label: t('settings.apiClients.clientSecret'), value: credentials.c.clientSecret, secret: true },
            ...(credentials.c.tokenEndpoint ? [{ label: t('settings.apiClients.tokenEndpoint'), value: credentials.c.tokenEndpoint }] : []),
          ]}
          onDone={() => setCredentials(undefined)}
        />
      )}
      <Section
        title={t('settings.apiClients.list')}
        actions={
          !creating && (
            <Button
              onClick={() => {
                action.reset();
                setCreating(true);
              }}
            >
              {t('settings.apiClients.new')}
            </Button>
          )
        }
      >
        {list.loading && !list.data && <Loading />}
        <ErrorMessage error={list.error} onRetry={list.reload} />
        {list.data && (
          <DataTable
            caption={t('settings.apiClients.list')}
            hideCaption
            rows={clients}
            rowKey={(c) => c.id}
            empty={t('settings.apiClients.none')}
            columns={[
              { key: 'name', header: t('settings.apiClients.name'), cell: (c) => c.name },
              { key: 'clientId', header: t('settings.apiClients.clientId'), cell: (c) => <code className="client-id">{c.clientId}</code> },
              {
                key: 'unit',
                header: t('settings.apiClients.sendingUnit'),
                cell: (c) =>
                  c.sendingUnit ? (
                    <>
                      {c.sendingUnitName ?? c.sendingUnit}
                      <div className="muted">{c.sendingUnit}</div>
                    </>
                  ) : (
                    t('settings.apiClients.noFixedUnit')
                  ),
              },
              { key: 'created', header: t('settings.apiClients.createdAt'), cell: (c) => <DateTime value={c.createdAt} /> },
              { key: 'rotated', header: t('settings.apiClients.secretRotatedAt'), cell: (c) => (c.secretRotatedAt ? <DateTime value={c.secretRotatedAt} /> : t('settings.apiClients.never')) },
              { key: 'status', header: t('settings.apiClients.status'), cell: (c) => <ClientStatus client={c} /> },
              {
                key: 'actions',
                header: t('settings.int.actions'),
                cell: (c) =>
                  c.revokedAt ? (
                    c.managed && c.identityProviderError ? (
                      <Button variant="secondary" busy={action.busy} aria-label={t('settings.apiClients.retryRemovalOf', { name: c.name })} onClick={() => void revoke(c)}>
                        {t('settings.apiClients.retryRemoval')}
                      </Button>
                    ) : null
                  ) : (
                    <div className="row-actions">
                      {c.managed && (
                        <Button
                          variant="secondary"
                          aria-label={t('settings.apiClients.rotateOf', { name: c.name })}
                          onClick={() =>
                            confirm.ask({
                              title: t('settings.apiClients.rotateTitle', { name: c.name }),
                              text: t('settings.apiClients.rotateQuestion', { name: c.name }),
                              confirmLabel: t('settings.apiClients.rotateConfirm'),
                              variant: 'primary',
                              action: () => rotate(c),
                            })
                          }
                        >
                          {t('settings.apiClients.rotate')}
                        </Button>
                      )}
                      <Button
                        variant="secondary"
                        aria-label={t('settings.apiClients.revokeOf', { name: c.name })}
                        onClick={() =>
                          confirm.ask({
                            title: t('settings.apiClients.revokeTitle', { name: c.name }),
                            text: c.managed ? t('settings.apiClients.revokeQuestion', { name: c.name }) : t('settings.apiClients.revokeQuestionUnmanaged', { name: c.name }),
                            confirmLabel: t('settings.apiClients.revokeConfirm'),
                            action: () => revoke(c),
                          })
                        }
                      >
                        {t('settings.apiClients.revoke')}
                      </Button>
                    </div>
                  ),
              },
            ]}
          />
        )}
        <p className="hint">{t('settings.apiClients.unmanagedHint')}</p>
      </Section>
      {creating && <CreateForm units={units.data?.sendingUnits ?? []} unitsError={units.error} busy={action.busy} error={action.error} onCancel={close} onSubmit={(n, u) => void create(n, u)} />}
    </>
  );
}

function ClientStatus({ client: c }: { client: ApiClient }) {
  const t = useT();
  if (!c.revokedAt) {
    return (
      <>
        <span className="badge badge-good">{t('settings.apiClients.active')}</span>
        {!c.managed && <div className="muted">{t('settings.apiClients.unmanaged')}</div>}
      </>
    );
  }
  return (
    <>
      <span className="badge badge-neutral">{t('settings.apiClients.revokedBadge')}</span>{' '}
      <DateTime value={c.revokedAt} />
      {c.managed && c.identityProviderRemovedAt && <div className="muted">{t('settings.apiClients.removedAtIdp')}</div>}
      {c.identityProviderError && (
        <div className="error-text">
          {t('settings.apiClients.idpError')} <span className="break">{c.identityProviderError}</span>
        </div>
      )}
      {!c.managed && <div className="muted">{t('settings.apiClients.unmanagedRevoked')}</div>}
    </>
  );
}

function CreateForm({
  units,
  unitsError,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  units: { code: string; name: string }[];
  unitsError: unknown;
  busy: boolean;
  error: unknown;
  onSubmit(name: string, sendingUnit: string | null): void;
  onCancel(): void;
}) {
  const t = useT();
  const [name, setName] = useState('');
  const [unit, setUnit] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(name.trim(), unit || null);
  };
  return (
    <Section title={t('settings.apiClients.new')}>
      <p>{t('settings.apiClients.newText')}</p>
      <form onSubmit={submit} noValidate>
        <TextField label={t('settings.apiClients.name')} hint={t('settings.apiClients.nameHint')} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} error={fieldErrorOf(error, 'name')} />
        <ErrorMessage error={unitsError} />
        <SelectField
          label={t('settings.apiClients.sendingUnit')}
          hint={t('settings.apiClients.sendingUnitHint')}
          value={unit}
          onChange={(e) => setUnit(e.target.value)}
          error={fieldErrorOf(error, 'sendingUnit')}
          options={[{ value: '', label: t('settings.apiClients.anyUnit') }, ...units.map((u) => ({ value: u.code, label: `${u.name} (${u.code})` }))]}
        />
        <ErrorMessage error={error} />
        <FormActions submit={t('settings.apiClients.create')} busy={busy} onCancel={onCancel} />
      </form>
    </Section>
  );
}
