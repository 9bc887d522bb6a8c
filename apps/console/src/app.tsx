import { useEffect } from 'react';
import { useAuth } from './auth/auth';
import { hasRole } from './auth/user';
import { Layout } from './components/layout';
import { Alert, Button, Loading, PageTitle } from './components/ui';
import { useT } from './i18n/i18n';
import { matchPath, useRouter } from './router';
import { ROUTES } from './routes';

function LoginPage() {
  const { login, error, busy } = useAuth();
  const t = useT();
  return (
    <div className="narrow">
      <PageTitle lead={t('login.intro')}>{t('login.title')}</PageTitle>
      {error && <Alert kind="error">{t('login.failed', { error })}</Alert>}
      {busy ? <Loading label={t('login.busy')} /> : <Button onClick={() => void login()}>{t('login.button')}</Button>}
    </div>
  );
}

/** Picks the page for the path, checks the user's roles, and keeps the document title in step. */
export function App({ version }: { version: string }) {
  const { user, busy } = useAuth();
  const { path, navigate } = useRouter();
  const t = useT();
  const found = ROUTES.map((r) => ({ route: r, params: matchPath(r.path, path) })).find((m) => m.params);
  // A platform admin without a municipality starts on the platform pages.
  const platformOnly = !!user && hasRole(user, 'platform-admin') && !hasRole(user, 'case-officer', 'tenant-admin');
  useEffect(() => {
    if (platformOnly && path === '/') navigate('/platform/tenants', { replace: true });
  }, [platformOnly, path, navigate]);
  const title = user && found ? t(found.route.titleKey) : t('login.title');
  useEffect(() => {
    document.title = `${title} – ${t('app.name')}`;
  }, [title, t]);

  let content;
  if (!user || busy) content = <LoginPage />;
  else if (!found) content = <PageTitle>{t('app.notFound')}</PageTitle>;
  else if (!hasRole(user, ...found.route.roles)) content = <PageTitle>{t('app.forbidden')}</PageTitle>;
  else {
    const Page = found.route.component;
    content = <Page key={path} params={found.params!} />;
  }
  return <Layout version={version}>{content}</Layout>;
}
