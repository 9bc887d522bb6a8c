import { ReactNode } from 'react';
import { useAuth } from '../auth/auth';
import { hasRole } from '../auth/user';
import { LANGS, useI18n } from '../i18n/i18n';
import { Link, matchPath, useRouter } from '../router';
import { ROUTES } from '../routes';

/** Skip link, header (who, language, log out), the menu the user's roles allow, and the main region. */
export function Layout({ children, version }: { children: ReactNode; version: string }) {
  const { user, logout } = useAuth();
  const { t, lang, setLang } = useI18n();
  const { path } = useRouter();
  const visible = ROUTES.filter((r) => r.inMenu && hasRole(user, ...r.roles));
  const top = visible.filter((r) => !r.group);
  const groups = (['nav.settings', 'nav.platform'] as const).map((g) => ({ key: g, routes: visible.filter((r) => r.group === g) })).filter((g) => g.routes.length);
  const current = (p: string) => (p === '/' ? path === '/' : path === p || path.startsWith(`${p}/`) || !!matchPath(p, path));
  const item = (r: (typeof ROUTES)[number]) => (
    <li key={r.path}>
      <Link to={r.path} aria-current={current(r.path) ? 'page' : undefined}>
        {t(r.titleKey)}
      </Link>
    </li>
  );
  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="top">
        <div className="brand">
          <Link to="/">{t('app.name')}</Link>
        </div>
        <div className="who">
          {user && (
            <>
              <span>{t('app.loggedInAs', { name: user.name })}</span>
              <span className="muted-on-dark">{user.roles.map((r) => t(`role.${r}`)).join(', ')}</span>
              {user.tenant && <span className="muted-on-dark">{t('app.tenant', { tenant: user.tenant })}</span>}
            </>
          )}
        </div>
        <div className="tools">
          <label className="visually-hidden" htmlFor="lang-select">
            {t('app.language')}
          </label>
          <select id="lang-select" value={lang} onChange={(e) => setLang(e.target.value as 'sv' | 'en')}>
            {LANGS.map((l) => (
              <option key={l} value={l} lang={l}>
                {l === 'sv' ? 'Svenska' : 'English'}
              </option>
            ))}
          </select>
          {user && (
            <button type="button" className="btn btn-on-dark" onClick={logout}>
              {t('app.logout')}
            </button>
          )}
        </div>
      </header>
      <div className="frame">
        {user && (
          <nav className="side" aria-label={t('app.mainNav')}>
            <ul>{top.map(item)}</ul>
            {groups.map((g) => (
              <div key={g.key} className="nav-group">
                <h2 className="nav-heading">{t(g.key)}</h2>
                <ul>{g.routes.map(item)}</ul>
              </div>
            ))}
          </nav>
        )}
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </div>
      <footer className="bottom">{t('app.footer', { version })}</footer>
    </>
  );
}
