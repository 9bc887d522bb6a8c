import { PageTitle } from '../../components/ui';
import { useT } from '../../i18n/i18n';

export default function RulesPage() {
  const t = useT();
  return <PageTitle>{t('nav.settings.rules')}</PageTitle>;
}
