import type { ComponentType } from 'react';
import type { ConsoleRole } from './auth/user';
import LetterPage from './pages/letters/letter-page';
import LettersPage from './pages/letters/letters-page';
import OverviewPage from './pages/overview/overview-page';
import ConnectionsPage from './pages/platform/connections-page';
import PrintVendorsPage from './pages/platform/print-vendors-page';
import TenantsPage from './pages/platform/tenants-page';
import SendPage from './pages/send/send-page';
import ApiClientsPage from './pages/settings/api-clients-page';
import AuditPage from './pages/settings/audit-page';
import CaseTypesPage from './pages/settings/case-types-page';
import DiaryPage from './pages/settings/diary-page';
import EnvelopePage from './pages/settings/envelope-page';
import RetentionPage from './pages/settings/retention-page';
import RulesPage from './pages/settings/rules-page';
import UnitsPage from './pages/settings/units-page';
import WebhooksPage from './pages/settings/webhooks-page';

export interface ConsoleRoute {
  path: string;
  /** Message key of the page's name (menu and <title>). */
  titleKey: string;
  /** Who may open it; the API checks the same roles again. */
  roles: ConsoleRole[];
  component: ComponentType<{ params: Record<string, string> }>;
  /** Menu group (message key); pages with a param are not in the menu. */
  group?: 'nav.settings' | 'nav.platform';
  inMenu?: boolean;
}

const TENANT_USERS: ConsoleRole[] = ['case-officer', 'tenant-admin'];
const ADMIN: ConsoleRole[] = ['tenant-admin'];
const PLATFORM: ConsoleRole[] = ['platform-admin'];

/** Every page of the console, in menu order. */
export const ROUTES: ConsoleRoute[] = [
  { path: '/', titleKey: 'nav.overview', roles: TENANT_USERS, component: OverviewPage, inMenu: true },
  { path: '/letters', titleKey: 'nav.letters', roles: TENANT_USERS, component: LettersPage, inMenu: true },
  { path: '/letters/:id', titleKey: 'nav.letters', roles: TENANT_USERS, component: LetterPage },
  { path: '/send', titleKey: 'nav.send', roles: TENANT_USERS, component: SendPage, inMenu: true },
  { path: '/settings/units', titleKey: 'nav.settings.units', roles: ADMIN, component: UnitsPage, group: 'nav.settings', inMenu: true },
  { path: '/settings/case-types', titleKey: 'nav.settings.caseTypes', roles: ADMIN, component: CaseTypesPage, group: 'nav.settings', inMenu: true },
  { path: '/settings/rules', titleKey: 'nav.settings.rules', roles: ADMIN, component: RulesPage, group: 'nav.settings', inMenu: true },
  { path: '/settings/envelope', titleKey: 'nav.settings.envelope', roles: ADMIN, component: EnvelopePage, group: 'nav.settings', inMenu: true },
  { path: '/settings/webhooks', titleKey: 'nav.settings.webhooks', roles: ADMIN, component: WebhooksPage, group: 'nav.settings', inMenu: true },
  { path: '/settings/diary', titleKey: 'nav.settings.diary', roles: ADMIN, component: DiaryPage, group: 'nav.settings', inMenu: true },
  { path: '/settings/retention', titleKey: 'nav.settings.retention', roles: ADMIN, component: RetentionPage, group: 'nav.settings', inMenu: true },
  { path: '/settings/api-clients', titleKey: 'nav.settings.apiClients', roles: ADMIN, component: ApiClientsPage, group: 'nav.settings', inMenu: true },
  { path: '/settings/audit', titleKey: 'nav.settings.audit', roles: ADMIN, component: AuditPage, group: 'nav.settings', inMenu: true },
  { path: '/platform/tenants', titleKey: 'nav.platform.tenants', roles: PLATFORM, component: TenantsPage, group: 'nav.platform', inMenu: true },
  { path: '/platform/connections', titleKey: 'nav.platform.connections', roles: PLATFORM, component: ConnectionsPage, group: 'nav.platform', inMenu: true },
  { path: '/platform/print-vendors', titleKey: 'nav.platform.printVendors', roles: PLATFORM, component: PrintVendorsPage, group: 'nav.platform', inMenu: true },
];
