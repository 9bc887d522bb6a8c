import { PageTitle } from '../../components/ui';
import { useT } from '../../i18n/i18n';

export default function OverviewPage() {
  const t = useT();
  return <PageTitle>{t('nav.overview')}</PageTitle>;
}
