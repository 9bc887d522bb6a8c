import { StrictMode, useCallback } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { AuthProvider } from './auth/auth';
import { ConsoleConfig, loadConsoleConfig } from './config';
import { I18nProvider } from './i18n/i18n';
import { RouterProvider, useRouter } from './router';
import './styles.css';

function WithAuth({ config }: { config: ConsoleConfig }) {
  const { navigate } = useRouter();
  const onNavigate = useCallback((p: string) => navigate(p, { replace: true }), [navigate]);
  return (
    <AuthProvider config={config} onNavigate={onNavigate}>
      <App version={config.version} />
    </AuthProvider>
  );
}

const root = createRoot(document.getElementById('root')!);
loadConsoleConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <I18nProvider>
          <RouterProvider>
            <WithAuth config={config} />
          </RouterProvider>
        </I18nProvider>
      </StrictMode>,
    ),
  (e: unknown) => {
    root.render(
      <main id="main">
        <h1>Utskickshubben</h1>
        <p role="alert">Konsolens inställningar kunde inte läsas ({e instanceof Error ? e.message : String(e)}).</p>
      </main>,
    );
  },
);
