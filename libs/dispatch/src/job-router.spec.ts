import { Writable } from 'node:stream';
import { JobName } from '@hub/jobs';
import { createLogger } from '@hub/observability';
import { TenantContext } from '@hub/tenancy';
import { JobRegistrationError, JobRouter, registerJob, UnrunnableJobError } from './job-router';

const TENANT = 'aaaaaaaa-0000-4000-8000-000000000001';

function sink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) });
  return { lines, log: createLogger('test', 'info', stream) };
}

describe('JobRouter', () => {
  it('refuses to start when a job has no handler or two, or a handler has no job', () => {
    const { log } = sink();
    const handler = registerJob(JobName.DispatchLetter, async () => 'ok');
    expect(() => new JobRouter([], log)).toThrow(
      new JobRegistrationError(`cannot start the worker: ${Object.values(JobName).map((n) => `job "${n}" has no handler`).join('; ')}`),
    );
    expect(() => new JobRouter([], log, [JobName.DispatchLetter])).toThrow(new JobRegistrationError('cannot start the worker: job "dispatch-letter" has no handler'));
    expect(() => new JobRouter([handler, handler], log)).toThrow(/"dispatch-letter" has two handlers/);
    expect(() => new JobRouter([handler, { ...handler, name: 'print-letter' as JobName }], log)).toThrow(/"print-letter", which is not a job name/);
    expect(() => new JobRouter([handler], log, ['dispatch-letter', 'print-letter'])).toThrow(/"print-letter" has no handler/);
    expect(() => new JobRouter([handler], log)).toThrow(/"prepare-print" has no handler; job "assemble-print-batch" has no handler/);
    expect(new JobRouter([handler], log, [JobName.DispatchLetter]).jobNames).toEqual(['dispatch-letter']);
  });

  it('runs a job in its tenant scope with the job id on every log line', async () => {
    const { lines, log } = sink();
    const router = new JobRouter(
      [
        registerJob(JobName.DispatchLetter, async (payload, ctx) => {
          ctx.log.info({ letterId: payload.letterId }, 'working for 198101032384');
          return TenantContext.current().tenantId === payload.tenantId ? 'scoped' : 'unscoped';
        }),
      ],
      log,
      [JobName.DispatchLetter],
    );
    await expect(router.run(JobName.DispatchLetter, { tenantId: TENANT, letterId: 'l1' }, 'outbox-7', 1)).resolves.toBe('scoped');
    expect(lines[0]).toMatchObject({ jobId: 'outbox-7', job: 'dispatch-letter', tenantId: TENANT, letterId: 'l1', msg: 'working for 19810103-****' });
    await expect(router.run('unknown', { tenantId: TENANT }, 'j', 1)).rejects.toBeInstanceOf(UnrunnableJobError);
    await expect(router.run(JobName.DispatchLetter, { letterId: 'x' }, 'j', 1)).rejects.toThrow(/no valid tenantId/);
  });
});
