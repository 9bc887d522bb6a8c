import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Role, Roles } from '@hub/auth';
import { DeliveryLogService, LogCaller, LogCount, LogExportJobs, LogExportView, LogRecord } from '@hub/delivery-log';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { DeliveryLogConnectionType, DeliveryLogEntryType, DeliveryLogFilterInput, LogExportFormatEnum, LogExportType } from './delivery-log.types';

/** Who may search and export the log; each sees their part of it (admin: the municipality, officer: their unit, case system: its letters). */
const LOG_READERS = [Role.CaseSystem, Role.CaseOfficer, Role.TenantAdmin] as const;

const COUNT = Symbol('count');
type Connection = DeliveryLogConnectionType & { [COUNT]: () => Promise<LogCount> };

export function toLogCaller(caller: Caller): LogCaller {
  return {
    tenantId: caller.tenantId,
    actor: caller.actor,
    roles: caller.principal.roles,
    ...(caller.principal.sendingUnitRef ? { sendingUnitRef: caller.principal.sendingUnitRef } : {}),
    ...(caller.apiClientId ? { apiClientId: caller.apiClientId } : {}),
  };
}

function toEntry(r: LogRecord): DeliveryLogEntryType {
  return {
    ...r,
    createdAt: new Date(r.createdAt),
    dispatchedAt: r.dispatchedAt ? new Date(r.dispatchedAt) : null,
    channel: r.channel as DeliveryLogEntryType['channel'],
    channelDecision: r.channelDecision as DeliveryLogEntryType['channelDecision'],
    status: r.status as DeliveryLogEntryType['status'],
  };
}

function toExport(v: LogExportView): LogExportType {
  const { downloadPath, ...rest } = v;
  return { ...rest, downloadUrl: downloadPath };
}

@Resolver(() => DeliveryLogConnectionType)
export class DeliveryLogConnectionResolver {
  @ResolveField(() => Int, { description: `How many letters match, counted up to 10,000 (then 10,001 and totalCountExact false).` })
  async totalCount(@Parent() connection: Connection): Promise<number> {
    return (await connection[COUNT]()).count;
  }

  @ResolveField(() => Boolean, { description: 'false when more letters match than totalCount counts.' })
  async totalCountExact(@Parent() connection: Connection): Promise<boolean> {
    return (await connection[COUNT]()).exact;
  }
}

/** The delivery log (F4, F7) and its asynchronous export (F5). Direct downloads are REST: /delivery-log/v1/export.csv|.jsonl. */
@Resolver()
@UseInterceptors(CallerInterceptor)
export class DeliveryLogResolver {
  private readonly service: DeliveryLogService;
  private readonly jobs: LogExportJobs;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.service = new DeliveryLogService(options.tenantDb, { pageSizeMax: options.config.PAGE_SIZE_MAX });
    this.jobs = new LogExportJobs(options.tenantDb, this.service);
  }

  @Query(() => DeliveryLogConnectionType, {
    description:
      'The delivery log: your letters, what happened to each, newest first. A tenant admin sees the municipality, a case officer the sending unit ' +
      'their token names (claim sending_unit), a case system the letters it submitted. `first` is at most PAGE_SIZE_MAX; follow pageInfo.endCursor with `after`.',
  })
  @Roles(...LOG_READERS)
  async deliveryLog(
    @CurrentCaller() caller: Caller,
    @Args('filter', { type: () => DeliveryLogFilterInput, nullable: true }) filter?: DeliveryLogFilterInput | null,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size; default 50 (or PAGE_SIZE_MAX when smaller).' }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<Connection> {
    const who = toLogCaller(caller);
    const page = await this.service.search(who, filter, first, after);
    let count: Promise<LogCount> | undefined;
    return {
      edges: page.items.map((i) => ({ cursor: i.cursor, node: toEntry(i.record) })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      [COUNT]: () => (count ??= this.service.count(who, filter)),
    };
  }

  @Mutation(() => LogExportType, {
    description:
      'Starts an export of the delivery log under the filter, as a file a worker writes; follow it with logExport(id) and download it from downloadUrl once DONE. ' +
      'For large ranges; smaller ones download directly from /delivery-log/v1/export.csv or .jsonl.',
  })
  @Roles(...LOG_READERS)
  async startLogExport(
    @CurrentCaller() caller: Caller,
    @Args('format', { type: () => LogExportFormatEnum }) format: string,
    @Args('filter', { type: () => DeliveryLogFilterInput, nullable: true }) filter?: DeliveryLogFilterInput | null,
    @Args('bom', { type: () => Boolean, nullable: true, defaultValue: false, description: 'CSV: start with a UTF-8 byte order mark, so Excel reads åäö right.' }) bom?: boolean | null,
  ): Promise<LogExportType> {
    return toExport(await this.jobs.start(toLogCaller(caller), filter, format, { bom }));
  }

  @Query(() => LogExportType, { description: 'An export you started (a tenant admin: anyone\'s). NOT_FOUND otherwise.' })
  @Roles(...LOG_READERS)
  async logExport(@CurrentCaller() caller: Caller, @Args('id', { type: () => ID }) id: string): Promise<LogExportType> {
    return toExport(await this.jobs.get(toLogCaller(caller), id));
  }

  @Query(() => [LogExportType], { description: 'Your exports (a tenant admin: everyone\'s), newest first.' })
  @Roles(...LOG_READERS)
  async logExports(
    @CurrentCaller() caller: Caller,
    @Args('first', { type: () => Int, nullable: true, description: 'At most 200; default 50.' }) first?: number | null,
  ): Promise<LogExportType[]> {
    return (await this.jobs.list(toLogCaller(caller), first ?? 50)).map(toExport);
  }
}
