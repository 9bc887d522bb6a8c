import { PageTitle } from '../../components/ui';
import { useT } from '../../i18n/i18n';

export default function PrintVendorsPage() {
  const t = useT();
  return <PageTitle>{t('nav.platform.printVendors')}</PageTitle>;
}
