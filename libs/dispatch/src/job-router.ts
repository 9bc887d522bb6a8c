import { JobName, JobPayloads } from '@hub/jobs';
import type { Logger } from '@hub/observability';
import { TenantContext } from '@hub/tenancy';

/** What a job handler gets besides its payload. */
export interface JobContext {
  jobId: string;
  name: JobName;
  /** 1 for the first run of this job, 2 for BullMQ's first retry… */
  attempt: number;
  /** Logs with the job id and job name on every line (and the tenant id, from the scope). */
  log: Logger;
}

/** A handler registered for one job name. Its result is the outcome label in the metrics. */
export interface JobRegistration<J extends JobName = JobName> {
  name: J;
  handle(payload: JobPayloads[J], ctx: JobContext): Promise<string | void>;
}

/** The registrations do not cover every job name exactly once: the worker must not start. */
export class JobRegistrationError extends Error {}

/** A job arrived that cannot be run (unknown name, payload without a tenant). */
export class UnrunnableJobError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Helper keeping each registration's payload type tied to its name. */
export function registerJob<J extends JobName>(name: J, handle: JobRegistration<J>['handle']): JobRegistration {
  return { name, handle } as unknown as JobRegistration;
}

/**
 * Routes jobs to their handlers. Refuses to be built unless every {@link JobName} has exactly one
 * handler, and runs each job in its tenant's scope with a logger that carries the job id.
 */
export class JobRouter {
  private readonly handlers = new Map<string, JobRegistration>();

  constructor(
    registrations: JobRegistration[],
    private readonly log: Logger,
    names: readonly string[] = Object.values(JobName),
  ) {
    const problems: string[] = [];
    for (const r of registrations) {
      if (!names.includes(r.name)) problems.push(`a handler is registered for "${r.name}", which is not a job name`);
      else if (this.handlers.has(r.name)) problems.push(`job "${r.name}" has two handlers`);
      this.handlers.set(r.name, r);
    }
    for (const n of names) if (!this.handlers.has(n)) problems.push(`job "${n}" has no handler`);
    if (problems.length > 0) throw new JobRegistrationError(`cannot start the worker: ${problems.join('; ')}`);
  }

  get jobNames(): string[] {
    return [...this.handlers.keys()];
  }

  /** Runs one job: in the payload's tenant scope (`actor` = the job), with the job id in every log line. */
  async run(name: string, payload: unknown, jobId: string, attempt: number): Promise<string | void> {
    const registration = this.handlers.get(name);
    if (!registration) throw new UnrunnableJobError(`no handler for job "${name}" (known: ${this.jobNames.join(', ')})`);
    const tenantId = (payload as { tenantId?: unknown } | null)?.tenantId;
    if (typeof tenantId !== 'string' || !UUID.test(tenantId)) throw new UnrunnableJobError(`job ${jobId} (${name}) carries no valid tenantId`);
    const log = this.log.child({ jobId, job: name });
    return TenantContext.run({ tenantId, actor: `job:${jobId}` }, () => registration.handle(payload as never, { jobId, name: name as JobName, attempt, log }));
  }
}
