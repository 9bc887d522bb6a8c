import { act, fireEvent, render, screen } from '@testing-library/react';
import { ApiRequestError } from '../../../api/graphql';
import { I18nProvider } from '../../../i18n/i18n';
import { CaseTypeEditor, CaseTypeFormApi, PREVIEW_DEBOUNCE_MS } from './case-type-form';
import type { CaseType, TemplatePreview } from './core-api';

const CT: CaseType = {
  code: 'bygglov',
  name: 'Bygglov',
  defaultProtectionClass: 2,
  subjectTemplate: 'Beslut i ärende {caseReference}',
  bodyTemplate: null,
  allowedChannels: ['DIGITAL', 'PRINT'],
  retentionRuleId: null,
  diaryEnabled: false,
  active: true,
  archivedAt: null,
  version: 1,
  updatedAt: '2026-01-01T00:00:00Z',
};

const PLACEHOLDERS = [{ placeholder: '{caseReference}', description: 'the case reference' }];
const previewOf = (subject: string | null, problems: TemplatePreview['problems'] = []): TemplatePreview => ({ subject, body: null, problems, placeholders: PLACEHOLDERS });

function setup(caseType: CaseType | null, over: Partial<CaseTypeFormApi> = {}) {
  const api = {
    create: jest.fn(async (input: Record<string, unknown>) => ({ ...CT, ...input }) as CaseType),
    update: jest.fn(async (_code: string, input: Record<string, unknown>) => ({ ...CT, ...input }) as CaseType),
    preview: jest.fn(async (v: { subjectTemplate: string }) => previewOf(v.subjectTemplate.replace('{caseReference}', 'BN 2026-123'))),
    ...over,
  };
  const onSaved = jest.fn();
  render(
    <I18nProvider lang="sv">
      <CaseTypeEditor caseType={caseType} retentionRules={[]} sendingUnit={null} api={api} onSaved={onSaved} onCancel={() => undefined} />
    </I18nProvider>,
  );
  return { api, onSaved };
}

const type = (label: RegExp, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
const settle = () => act(async () => void jest.advanceTimersByTime(PREVIEW_DEBOUNCE_MS + 10));

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('the case type form', () => {
  it('has the contract’s labels', () => {
    setup(null);
    for (const label of [/^Kod/, /^Namn/, /^Standardskyddsklass/, /^Mall för ärendemening/, /^Mall för brevtext/]) expect(screen.getByLabelText(label)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Spara' })).toBeTruthy();
  });

  it('asks the API for a preview once typing pauses, not at every key', async () => {
    const { api } = setup(CT);
    await settle();
    expect(api.preview).toHaveBeenCalledTimes(1);
    expect(await screen.findByText('Beslut i ärende BN 2026-123')).toBeTruthy();
    type(/^Mall för ärendemening/, 'Beslut {');
    type(/^Mall för ärendemening/, 'Beslut {c');
    type(/^Mall för ärendemening/, 'Beslut om {caseReference}');
    await act(async () => void jest.advanceTimersByTime(PREVIEW_DEBOUNCE_MS / 2));
    expect(api.preview).toHaveBeenCalledTimes(1);
    await settle();
    expect(api.preview).toHaveBeenCalledTimes(2);
    expect(api.preview).toHaveBeenLastCalledWith({ subjectTemplate: 'Beslut om {caseReference}', bodyTemplate: null, caseTypeName: 'Bygglov', sendingUnit: null });
    expect(await screen.findByText('Beslut om BN 2026-123')).toBeTruthy();
  });

  it('shows the problems the API finds in the templates', async () => {
    setup(CT, { preview: jest.fn(async () => previewOf(null, [{ path: 'subjectTemplate', rule: 'template', message: '{namn} is not a known placeholder' }])) });
    await settle();
    expect(await screen.findByText(/Mall för ärendemening: \{namn\} is not a known placeholder/)).toBeTruthy();
  });

  it('saves only what changed, and shows a refused field next to it', async () => {
    const refusal = new ApiRequestError([{ message: 'The case type change was refused', code: 'VALIDATION_FAILED', fields: [{ path: 'subjectTemplate', message: 'contains a personnummer' }] }]);
    const { api, onSaved } = setup(CT, { update: jest.fn().mockRejectedValueOnce(refusal).mockImplementation(async (_c: string, input: Record<string, unknown>) => ({ ...CT, ...input })) });
    type(/^Standardskyddsklass/, '3');
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Spara' })));
    expect(api.update).toHaveBeenCalledWith('bygglov', { defaultProtectionClass: 3 });
    const field = screen.getByLabelText(/^Mall för ärendemening/);
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(field.getAttribute('aria-describedby')!.split(' ').pop()!)!.textContent).toBe('contains a personnummer');
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Spara' })));
    expect(onSaved).toHaveBeenCalledWith(expect.objectContaining({ defaultProtectionClass: 3 }), false);
  });

  it('refuses a case type without a channel before asking the API', async () => {
    const { api } = setup(CT);
    fireEvent.click(screen.getByLabelText('Digitalt'));
    fireEvent.click(screen.getByLabelText('Papper'));
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Spara' })));
    expect(screen.getByText('Välj minst en kanal.')).toBeTruthy();
    expect(api.update).not.toHaveBeenCalled();
  });
});
