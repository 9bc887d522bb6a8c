/** Building blocks the integration settings pages share: secrets shown once, confirmed actions, mutation state. */
import { ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { useGraphql } from '../../../api/graphql';
import { ConfirmStep } from '../../../components/confirm';
import { Alert, Button } from '../../../components/ui';
import { useT } from '../../../i18n/i18n';

/** Runs mutations one at a time, keeping the busy flag, the last error and a success message. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const run = useCallback(async <T,>(fn: () => Promise<T>, success?: string): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const result = await fn();
      if (success) setDone(success);
      return result;
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const reset = useCallback(() => {
    setError(undefined);
    setDone(undefined);
  }, []);
  return { busy, error, done, run, reset, setDone };
}

/**
 * A secret the hub shows exactly once (a webhook's signing secret, an API client's credentials):
 * each value in a read-only field with a copy button, and a clear warning that it will not be
 * shown again. Focus moves here when it appears, so keyboard and screen-reader users find it.
 */
export function SecretOnce({ title, values, onDone }: { title: ReactNode; values: { label: string; value: string; secret?: boolean }[]; onDone(): void }) {
  const t = useT();
  const headingId = useId();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.scrollIntoView?.({ block: 'center' });
  }, []);
  return (
    <section className="card secret-once" aria-labelledby={headingId}>
      <h2 id={headingId} tabIndex={-1} ref={ref}>
        {title}
      </h2>
      <Alert kind="warning" title={t('settings.int.secretOnce.title')}>
        {t('settings.int.secretOnce.text')}
      </Alert>
      {values.map((v) => (
        <CopyField key={v.label} label={v.label} value={v.value} secret={v.secret} />
      ))}
      <Button onClick={onDone}>{t('settings.int.secretOnce.done')}</Button>
    </section>
  );
}

function CopyField({ label, value, secret }: { label: string; value: string; secret?: boolean }) {
  const t = useT();
  const id = useId();
  const [copied, setCopied] = useState<'ok' | 'failed'>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('ok');
    } catch {
      // No clipboard permission (or an old browser): the value is selected for Ctrl+C instead.
      (document.getElementById(id) as HTMLInputElement | null)?.select();
      setCopied('failed');
    }
  };
  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input id={id} readOnly value={value} className={secret ? 'secret-value' : undefined} onFocus={(e) => e.currentTarget.select()} spellCheck={false} autoComplete="off" />
        <Button variant="secondary" onClick={() => void copy()} aria-label={t('settings.int.copyNamed', { name: label })}>
          {t('settings.int.copy')}
        </Button>
      </div>
      <p className="hint" role="status">
        {copied === 'ok' ? t('settings.int.copied') : copied === 'failed' ? t('settings.int.copyFailed') : ''}
      </p>
    </div>
  );
}

/** What a confirmation asks: the question with its consequences, and the words of the "yes" button. */
export interface Confirmation {
  title: string;
  text: ReactNode;
  confirmLabel: string;
  variant?: 'danger' | 'primary';
  action(): Promise<unknown> | void;
}

/**
 * A destructive or disruptive action asked twice: `ask()` opens a panel with the question and its
 * consequences (focus moves to it; Escape or "cancel" closes it and gives the focus back to the
 * button that asked). A panel in the page rather than a modal: nothing to trap focus in, and it
 * does not squeeze into a table cell.
 */
export function useConfirm(busy: boolean) {
  const [pending, setPending] = useState<Confirmation>();
  const opener = useRef<HTMLElement | null>(null);
  const ask = useCallback((c: Confirmation) => {
    opener.current = document.activeElement as HTMLElement | null;
    setPending(c);
  }, []);
  const close = useCallback((restoreFocus: boolean) => {
    setPending(undefined);
    const back = opener.current;
    if (restoreFocus && back) requestAnimationFrame(() => back.focus());
  }, []);
  const panel = pending ? (
    <ConfirmPanel
      confirmation={pending}
      busy={busy}
      onCancel={() => close(true)}
      onConfirm={async () => {
        await pending.action();
        close(false);
      }}
    />
  ) : null;
  return { ask, panel, open: pending !== undefined };
}

function ConfirmPanel({ confirmation: c, busy, onConfirm, onCancel }: { confirmation: Confirmation; busy: boolean; onConfirm(): void; onCancel(): void }) {
  return (
    <ConfirmStep title={c.title} confirmLabel={c.confirmLabel} variant={c.variant} busy={busy} onConfirm={onConfirm} onCancel={onCancel}>
      <p>{c.text}</p>
    </ConfirmStep>
  );
}

/** A number of days or hours typed by the admin: '' is null, anything else must be a whole number. */
export function parseWhole(text: string): number | null | 'invalid' {
  const s = text.trim();
  if (s === '') return null;
  return /^\d{1,6}$/.test(s) ? Number(s) : 'invalid';
}

interface Connection<N> {
  edges: { node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * A Relay connection read page by page: the first page whenever `variables` change, `more()` appends
 * the next one. `reload()` starts again from the first page. `pick` must be a stable function (module level).
 */
export function usePaged<N, D = unknown>(query: string, variables: Record<string, unknown>, pick: (data: D) => Connection<N>, pageSize = 25) {
  const { request } = useGraphql();
  const [state, setState] = useState<{ items: N[]; endCursor: string | null; hasMore: boolean; loading: boolean; error?: unknown }>({ items: [], endCursor: null, hasMore: false, loading: true });
  const [tick, setTick] = useState(0);
  const run = useRef(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    const id = ++run.current;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    request<D>(query, { ...(JSON.parse(key) as Record<string, unknown>), first: pageSize }).then(
      (data) => {
        if (id !== run.current) return;
        const c = pick(data);
        setState({ items: c.edges.map((e) => e.node), endCursor: c.pageInfo.endCursor, hasMore: c.pageInfo.hasNextPage, loading: false });
      },
      (error: unknown) => id === run.current && setState((s) => ({ ...s, loading: false, error })),
    );
  }, [request, query, key, pageSize, tick, pick]);
  const more = useCallback(async () => {
    const id = ++run.current;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    try {
      const data = await request<D>(query, { ...(JSON.parse(key) as Record<string, unknown>), first: pageSize, after: state.endCursor });
      if (id !== run.current) return;
      const c = pick(data);
      setState((s) => ({ items: [...s.items, ...c.edges.map((e) => e.node)], endCursor: c.pageInfo.endCursor, hasMore: c.pageInfo.hasNextPage, loading: false }));
    } catch (error) {
      if (id === run.current) setState((s) => ({ ...s, loading: false, error }));
    }
  }, [request, query, key, pageSize, state.endCursor, pick]);
  const reload = useCallback(() => setTick((x) => x + 1), []);
  return { ...state, more, reload };
}
