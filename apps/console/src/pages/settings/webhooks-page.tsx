import { FormEvent, ReactNode, useState } from 'react';
import { fieldErrorOf, useGraphql, useQuery } from '../../api/graphql';
import { Alert, Button, Checkbox, DataTable, DateTime, ErrorMessage, FormActions, Loading, PageTitle, Section, SelectField, TextField } from '../../components/ui';
import { useT } from '../../i18n/i18n';
import { Link } from '../../router';
import {
  CREATE_WEBHOOK,
  DEAD_LETTERS,
  DELETE_WEBHOOK,
  DELIVERIES,
  DeliveryPage,
  REPLAY,
  ROTATE_WEBHOOK,
  UPDATE_WEBHOOK,
  Webhook,
  WebhookDelivery,
  WEBHOOK_EVENTS,
  WEBHOOKS,
} from './integrations/api';
import { parseWhole, SecretOnce, useAction, useConfirm, usePaged } from './integrations/shared';
import './integrations/integrations.css';

type Panel = { kind: 'none' } | { kind: 'create' } | { kind: 'edit'; webhook: Webhook } | { kind: 'rotate'; webhook: Webhook };

const pickDeliveries = (d: { webhookDeliveries: DeliveryPage }) => d.webhookDeliveries;
const pickDead = (d: { deadLetters: DeliveryPage }) => d.deadLetters;

/** `/settings/webhooks`: the municipality's webhook subscriptions, their deliveries and dead letters. */
export default function WebhooksPage() {
  const t = useT();
  const { request } = useGraphql();
  const list = useQuery<{ webhooks: Webhook[] }>(WEBHOOKS);
  const action = useAction();
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
  const [secret, setSecret] = useState<{ url: string; secret: string }>();
  const [shown, setShown] = useState<Webhook>();
  const dead = usePaged(DEAD_LETTERS, {}, pickDead);
  const confirm = useConfirm(action.busy);

  const close = () => {
    setPanel({ kind: 'none' });
    action.reset();
  };
  const saved = (message: string) => {
    close();
    action.setDone(message);
    list.reload();
  };

  const create = async (input: WebhookInput) => {
    const r = await action.run(() => request<{ createWebhook: { secret: string; webhook: Webhook } }>(CREATE_WEBHOOK, { input }));
    if (r) {
      setSecret({ url: r.createWebhook.webhook.url, secret: r.createWebhook.secret });
      saved(t('settings.webhooks.created'));
    }
  };
  const update = async (id: string, input: WebhookInput) => {
    const r = await action.run(() => request(UPDATE_WEBHOOK, { id, input }));
    if (r) saved(t('form.saved'));
  };
  const rotate = async (w: Webhook, hours: number) => {
    const r = await action.run(() => request<{ rotateWebhookSecret: { secret: string; webhook: Webhook } }>(ROTATE_WEBHOOK, { id: w.id, hours }));
    if (r) {
      setSecret({ url: w.url, secret: r.rotateWebhookSecret.secret });
      saved(t('settings.webhooks.rotated'));
    }
  };
  const remove = async (w: Webhook) => {
    const r = await action.run(() => request(DELETE_WEBHOOK, { id: w.id }));
    if (r) {
      if (shown?.id === w.id) setShown(undefined);
      saved(t('settings.webhooks.deleted', { url: w.url }));
      dead.reload();
    }
  };
  const replay = async (d: WebhookDelivery) => {
    const r = await action.run(() => request(REPLAY, { id: d.id }), t('settings.webhooks.replayed', { event: d.eventId }));
    if (r) {
      dead.reload();
      list.reload();
    }
  };

  const webhooks = list.data?.webhooks ?? [];
  return (
    <>
      <PageTitle lead={t('settings.webhooks.lead')}>{t('nav.settings.webhooks')}</PageTitle>
      {action.done && <Alert kind="success">{action.done}</Alert>}
      {panel.kind === 'none' && <ErrorMessage error={action.error} />}
      {confirm.panel}
      {secret && (
        <SecretOnce
          title={t('settings.webhooks.secretTitle', { url: secret.url })}
          values={[{ label: t('settings.webhooks.secret'), value: secret.secret, secret: true }]}
          onDone={() => setSecret(undefined)}
        />
      )}

      <Section
        title={t('settings.webhooks.list')}
        actions={
          panel.kind === 'none' && (
            <Button
              onClick={() => {
                action.reset();
                setPanel({ kind: 'create' });
              }}
            >
              {t('settings.webhooks.new')}
            </Button>
          )
        }
      >
        {list.loading && !list.data && <Loading />}
        <ErrorMessage error={list.error} onRetry={list.reload} />
        {list.data && (
          <DataTable
            caption={t('settings.webhooks.list')}
            hideCaption
            rows={webhooks}
            rowKey={(w) => w.id}
            empty={t('settings.webhooks.none')}
            columns={[
              { key: 'url', header: t('settings.webhooks.url'), cell: (w) => <span className="break">{w.url}</span> },
              { key: 'events', header: t('settings.webhooks.events'), cell: (w) => <EventList events={w.events} /> },
              {
                key: 'active',
                header: t('settings.webhooks.state'),
                cell: (w) => <span className={`badge badge-${w.active ? 'good' : 'neutral'}`}>{w.active ? t('settings.webhooks.active') : t('settings.webhooks.inactive')}</span>,
              },
              { key: 'pending', header: t('settings.webhooks.pending'), numeric: true, cell: (w) => w.pendingDeliveries },
              { key: 'dead', header: t('settings.webhooks.dead'), numeric: true, cell: (w) => w.deadLetters },
              {
                key: 'secret',
                header: t('settings.webhooks.secretRotatedAt'),
                cell: (w) => (
                  <>
                    <DateTime value={w.secretRotatedAt ?? w.createdAt} />
                    {w.previousSecretValidUntil && (
                      <div className="muted">
                        {t('settings.webhooks.previousUntil')} <DateTime value={w.previousSecretValidUntil} />
                      </div>
                    )}
                  </>
                ),
              },
              {
                key: 'actions',
                header: t('settings.int.actions'),
                cell: (w) => (
                  <div className="row-actions">
                    <Button variant="secondary" aria-label={t('settings.webhooks.deliveriesOf', { url: w.url })} onClick={() => setShown(w)}>
                      {t('settings.webhooks.deliveries')}
                    </Button>
                    <Button
                      variant="secondary"
                      aria-label={t('settings.int.editNamed', { name: w.url })}
                      onClick={() => {
                        action.reset();
                        setPanel({ kind: 'edit', webhook: w });
                      }}
                    >
                      {t('action.edit')}
                    </Button>
                    <Button
                      variant="secondary"
                      aria-label={t('settings.webhooks.rotateOf', { url: w.url })}
                      onClick={() => {
                        action.reset();
                        setPanel({ kind: 'rotate', webhook: w });
                      }}
                    >
                      {t('settings.webhooks.rotate')}
                    </Button>
                    <Button
                      variant="secondary"
                      aria-label={t('settings.int.deleteNamed', { name: w.url })}
                      onClick={() =>
                        confirm.ask({
                          title: t('settings.webhooks.deleteTitle', { url: w.url }),
                          text: t('settings.webhooks.deleteQuestion', { url: w.url, pending: w.pendingDeliveries, dead: w.deadLetters }),
                          confirmLabel: t('settings.webhooks.deleteConfirm'),
                          action: () => remove(w),
                        })
                      }
                    >
                      {t('action.delete')}
                    </Button>
                  </div>
                ),
              },
            ]}
          />
        )}
      </Section>

      {panel.kind === 'create' && <WebhookForm title={t('settings.webhooks.new')} busy={action.busy} error={action.error} onCancel={close} onSubmit={create} />}
      {panel.kind === 'edit' && (
        <WebhookForm
          title={t('settings.webhooks.editTitle', { url: panel.webhook.url })}
          initial={panel.webhook}
          busy={action.busy}
          error={action.error}
          onCancel={close}
          onSubmit={(input) => update(panel.webhook.id, input)}
        />
      )}
      {panel.kind === 'rotate' && <RotateForm webhook={panel.webhook} busy={action.busy} error={action.error} onCancel={close} onSubmit={(hours) => rotate(panel.webhook, hours)} />}

      {shown && <Deliveries key={shown.id} webhook={shown} onClose={() => setShown(undefined)} />}

      <Section title={t('settings.webhooks.deadLetters')}>
        <p className="hint">{t('settings.webhooks.deadLettersHint')}</p>
        <ErrorMessage error={dead.error} onRetry={dead.reload} />
        <DeliveryTable
          caption={t('settings.webhooks.deadLetters')}
          rows={dead.items}
          webhooks={webhooks}
          empty={dead.loading ? t('app.loading') : t('settings.webhooks.noDeadLetters')}
          action={(d) => (
            <Button variant="secondary" busy={action.busy} aria-label={t('settings.webhooks.replayOf', { event: d.eventId })} onClick={() => void replay(d)}>
              {t('settings.webhooks.replay')}
            </Button>
          )}
        />
        {dead.hasMore && (
          <Button variant="secondary" busy={dead.loading} onClick={() => void dead.more()}>
            {t('action.more')}
          </Button>
        )}
      </Section>
    </>
  );
}

function EventList({ events }: { events: string[] }) {
  const t = useT();
  return (
    <ul className="plain compact">
      {events.map((e) => (
        <li key={e}>{t(`settings.webhooks.event.${e}`)}</li>
      ))}
    </ul>
  );
}

interface WebhookInput {
  url: string;
  description: string;
  events: string[];
  active: boolean;
}

function WebhookForm({ title, initial, busy, error, onSubmit, onCancel }: { title: string; initial?: Webhook; busy: boolean; error: unknown; onSubmit(i: WebhookInput): void; onCancel(): void }) {
  const t = useT();
  const [url, setUrl] = useState(initial?.url ?? 'https://');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [events, setEvents] = useState<string[]>(initial?.events ?? ['letter.delivered', 'letter.routed_to_print', 'letter.returned', 'letter.failed']);
  const [active, setActive] = useState(initial?.active ?? true);
  const [noEvents, setNoEvents] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (events.length === 0) {
      setNoEvents(true);
      return;
    }
    setNoEvents(false);
    // In the order the API lists them.
    onSubmit({ url: url.trim(), description: description.trim(), events: WEBHOOK_EVENTS.filter((x) => events.includes(x)), active });
  };
  const eventsError = noEvents ? t('settings.webhooks.error.noEvents') : fieldErrorOf(error, 'events');
  return (
    <Section title={title}>
      <form onSubmit={submit} noValidate>
        <TextField label={t('settings.webhooks.url')} hint={t('settings.webhooks.urlHint')} required type="url" value={url} onChange={(e) => setUrl(e.target.value)} error={fieldErrorOf(error, 'url')} />
        <TextField label={t('settings.webhooks.description')} hint={t('settings.webhooks.descriptionHint')} value={description} maxLength={200} onChange={(e) => setDescription(e.target.value)} error={fieldErrorOf(error, 'description')} />
        <fieldset className={eventsError ? 'field-error' : undefined} aria-describedby={eventsError ? 'webhook-events-error' : undefined}>
          <legend>{t('settings.webhooks.events')}</legend>
          {eventsError && (
            <p className="error-text" id="webhook-events-error">
              {eventsError}
            </p>
          )}
          <div className="event-grid">
            {WEBHOOK_EVENTS.map((ev) => (
              <Checkbox
                key={ev}
                label={t(`settings.webhooks.event.${ev}`)}
                hint={<code>{ev}</code>}
                checked={events.includes(ev)}
                onChange={(e) => setEvents((list) => (e.target.checked ? [...list, ev] : list.filter((x) => x !== ev)))}
              />
            ))}
          </div>
        </fieldset>
        <Checkbox label={t('settings.webhooks.activeLabel')} hint={t('settings.webhooks.activeHint')} checked={active} onChange={(e) => setActive(e.target.checked)} />
        <ErrorMessage error={error} />
        <FormActions submit={initial ? t('action.save') : t('settings.webhooks.create')} busy={busy} onCancel={onCancel} />
      </form>
    </Section>
  );
}

function RotateForm({ webhook, busy, error, onSubmit, onCancel }: { webhook: Webhook; busy: boolean; error: unknown; onSubmit(hours: number): void; onCancel(): void }) {
  const t = useT();
  const [hours, setHours] = useState('24');
  const [invalid, setInvalid] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const n = parseWhole(hours);
    if (n === null || n === 'invalid' || n > 168) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    onSubmit(n);
  };
  return (
    <Section title={t('settings.webhooks.rotateTitle', { url: webhook.url })}>
      <p>{t('settings.webhooks.rotateText')}</p>
      <form onSubmit={submit} noValidate>
        <TextField
          label={t('settings.webhooks.graceHours')}
          hint={t('settings.webhooks.graceHoursHint')}
          inputMode="numeric"
          value={hours}
          onChange={(e) => setHours(e.target.value)}
          error={invalid ? t('settings.webhooks.error.graceHours') : fieldErrorOf(error, 'previousSecretValidHours')}
        />
        <ErrorMessage error={error} />
        <FormActions submit={t('settings.webhooks.rotate')} busy={busy} onCancel={onCancel} />
      </form>
    </Section>
  );
}

function Deliveries({ webhook, onClose }: { webhook: Webhook; onClose(): void }) {
  const t = useT();
  const [status, setStatus] = useState('');
  const page = usePaged(DELIVERIES, { id: webhook.id, status: status || null }, pickDeliveries);
  return (
    <Section
      title={t('settings.webhooks.deliveriesTitle', { url: webhook.url })}
      actions={
        <Button variant="secondary" onClick={onClose}>
          {t('action.close')}
        </Button>
      }
    >
      <SelectField
        label={t('settings.webhooks.statusFilter')}
        value={status}
        onChange={(e) => setStatus(e.target.value)}
        options={[{ value: '', label: t('settings.webhooks.statusAll') }, ...['PENDING', 'DELIVERED', 'DEAD'].map((s) => ({ value: s, label: t(`settings.webhooks.status.${s}`) }))]}
      />
      <ErrorMessage error={page.error} onRetry={page.reload} />
      <DeliveryTable caption={t('settings.webhooks.deliveriesTitle', { url: webhook.url })} rows={page.items} empty={page.loading ? t('app.loading') : t('settings.webhooks.noDeliveries')} />
      {page.hasMore && (
        <Button variant="secondary" busy={page.loading} onClick={() => void page.more()}>
          {t('action.more')}
        </Button>
      )}
    </Section>
  );
}

const DELIVERY_TONE: Record<string, string> = { DELIVERED: 'good', DEAD: 'bad', PENDING: 'warn' };

function DeliveryTable({ caption, rows, empty, webhooks, action }: { caption: string; rows: WebhookDelivery[]; empty: string; webhooks?: Webhook[]; action?: (d: WebhookDelivery) => ReactNode }) {
  const t = useT();
  return (
    <DataTable
      caption={caption}
      hideCaption
      rows={rows}
      rowKey={(d) => d.id}
      empty={empty}
      columns={[
        {
          key: 'event',
          header: t('settings.webhooks.event'),
          cell: (d) => (
            <>
              {t(`settings.webhooks.event.${d.eventType}`)}
              <div className="muted">
                {t('settings.webhooks.eventId')} {d.eventId}
              </div>
            </>
          ),
        },
        ...(webhooks ? [{ key: 'webhook', header: t('settings.webhooks.url'), cell: (d: WebhookDelivery) => <span className="break">{webhooks.find((w) => w.id === d.webhookId)?.url ?? d.webhookId}</span> }] : []),
        { key: 'letter', header: t('settings.int.letter'), cell: (d) => <Link to={`/letters/${d.letterId}`}>{d.letterId.slice(0, 8)}</Link> },
        { key: 'status', header: t('settings.webhooks.deliveryStatus'), cell: (d) => <span className={`badge badge-${DELIVERY_TONE[d.status] ?? 'info'}`}>{t(`settings.webhooks.status.${d.status}`)}</span> },
        { key: 'attempts', header: t('settings.webhooks.attempts'), numeric: true, cell: (d) => d.totalAttempts },
        {
          key: 'last',
          header: t('settings.webhooks.lastAnswer'),
          cell: (d) => (
            <>
              {d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : d.lastError ? t('settings.webhooks.noAnswer') : '–'}
              {d.lastError && <div className="muted break">{d.lastError}</div>}
            </>
          ),
        },
        { key: 'when', header: t('settings.webhooks.when'), cell: (d) => <DateTime value={d.deadAt ?? d.deliveredAt ?? d.nextAttemptAt ?? d.createdAt} /> },
        ...(action ? [{ key: 'action', header: t('settings.int.actions'), cell: action }] : []),
      ]}
    />
  );
}
