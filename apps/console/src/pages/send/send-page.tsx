import { PageTitle } from '../../components/ui';
import { useT } from '../../i18n/i18n';

export default function SendPage() {
  const t = useT();
  return <PageTitle>{t('nav.send')}</PageTitle>;
}
