import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { FileUpload } from 'graphql-upload-minimal';
import { Role, Roles } from '@hub/auth';
import type { HubConfig } from '@hub/config';
import { KeyVault } from '@hub/keys';
import type { FieldViolation } from '@hub/letters';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { ApiError, ApiErrorCode } from '../errors/api-error-code';
import { readUpload } from '../uploads/attachment-content';
import { CredentialUpload, MAX_CREDENTIAL_FILE_BYTES } from './sender-certificate';
import { SendingUnitService } from './sending-unit.service';
import { SenderCertificateInputType, SendingUnitInputType, SendingUnitSettingsType, SendingUnitUpdateInputType } from './tenant-admin.types';

/**
 * The MASTER_KEY that encrypts sender keys. The application hands the whole HubConfig to the API;
 * MASTER_KEY is not in ApiGraphqlOptions' declared Pick, hence the wider type (as for webhook secrets).
 */
function keyVault(options: ApiGraphqlOptions): KeyVault | undefined {
  const key = (options.config as Partial<Pick<HubConfig, 'MASTER_KEY'>>).MASTER_KEY;
  return key ? new KeyVault(key) : undefined;
}

const invalid = (fields: FieldViolation[]) =>
  new ApiError(ApiErrorCode.ValidationFailed, `The certificate was not installed: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}.`, { fields });

async function readCredentialFile(upload: Promise<FileUpload>, path: string): Promise<Buffer> {
  const read = await readUpload(upload);
  if ('error' in read) throw invalid([{ path, rule: 'upload', message: read.error }]);
  if (read.content.length === 0) throw invalid([{ path, rule: 'required', message: 'is an empty file' }]);
  if (read.content.length > MAX_CREDENTIAL_FILE_BYTES) {
    throw invalid([{ path, rule: 'maxSize', message: `is ${read.content.length} bytes; a certificate or key file is at most ${MAX_CREDENTIAL_FILE_BYTES} bytes: is it the right file?` }]);
  }
  return read.content;
}

/** Reads the uploads of a SenderCertificateInput into one credential upload (PKCS#12, or certificate and key). */
async function credentialUpload(input: SenderCertificateInputType): Promise<CredentialUpload> {
  const password = typeof input.password === 'string' ? input.password : undefined;
  if (input.pkcs12) {
    if (input.certificatePem || input.privateKeyPem) {
      throw invalid([{ path: 'pkcs12', rule: 'exclusive', message: 'give either a PKCS#12 file, or the certificate and the key as PEM files, not both' }]);
    }
    return { kind: 'pkcs12', pkcs12: await readCredentialFile(input.pkcs12, 'pkcs12'), password: password ?? '' };
  }
  const missing: FieldViolation[] = [];
  if (!input.certificatePem) missing.push({ path: 'certificatePem', rule: 'required', message: 'is required with privateKeyPem (or give a PKCS#12 file in pkcs12)' });
  if (!input.privateKeyPem) missing.push({ path: 'privateKeyPem', rule: 'required', message: 'is required with certificatePem (or give a PKCS#12 file in pkcs12)' });
  if (missing.length === 2) throw invalid([{ path: 'pkcs12', rule: 'required', message: 'give a PKCS#12 file (.p12/.pfx), or certificatePem and privateKeyPem' }]);
  if (missing.length) throw invalid(missing);
  const [certificate, privateKey] = [await readCredentialFile(input.certificatePem!, 'certificatePem'), await readCredentialFile(input.privateKeyPem!, 'privateKeyPem')];
  return { kind: 'pem', certificate, privateKey, ...(password ? { password } : {}) };
}

/** Sending units and their sender certificates: tenant admins only; every change audited. */
@Resolver(() => SendingUnitSettingsType)
@UseInterceptors(CallerInterceptor)
export class SendingUnitResolver {
  private readonly service: SendingUnitService;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.service = new SendingUnitService(options.tenantDb, keyVault(options));
  }

  @Query(() => [SendingUnitSettingsType], { description: 'Your municipality\'s sending units by code, with their certificates and how long they are valid.' })
  @Roles(Role.TenantAdmin)
  sendingUnits(@CurrentCaller() caller: Caller): Promise<SendingUnitSettingsType[]> {
    return this.service.list(caller);
  }

  @Mutation(() => SendingUnitSettingsType, { description: 'Creates a sending unit (without a certificate: install one with setSendingUnitCertificate). VALIDATION_FAILED names each wrong field.' })
  @Roles(Role.TenantAdmin)
  createSendingUnit(@Args('input', { type: () => SendingUnitInputType, description: 'The new unit.' }) input: SendingUnitInputType, @CurrentCaller() caller: Caller): Promise<SendingUnitSettingsType> {
    return this.service.create(caller, input);
  }

  @Mutation(() => SendingUnitSettingsType, { description: 'Changes a sending unit\'s name, organisation number or postal address (only what is given). NOT_FOUND for an unknown code.' })
  @Roles(Role.TenantAdmin)
  updateSendingUnit(
    @Args('code', { description: 'The unit\'s code.' }) code: string,
    @Args('input', { type: () => SendingUnitUpdateInputType, description: 'The fields to change.' }) input: SendingUnitUpdateInputType,
    @CurrentCaller() caller: Caller,
  ): Promise<SendingUnitSettingsType> {
    return this.service.update(caller, code, input);
  }

  @Mutation(() => SendingUnitSettingsType, {
    description:
      'Installs the unit\'s sender certificate and private key (replacing the installed ones; the next letter is signed with them). Refused with VALIDATION_FAILED, naming the field, ' +
      'when the password is wrong, the key does not belong to the certificate, the certificate is expired or not yet valid, or it is issued to another organisation number. ' +
      'The key is stored encrypted (AES-256-GCM under MASTER_KEY) and never returned.',
  })
  @Roles(Role.TenantAdmin)
  async setSendingUnitCertificate(
    @Args('code', { description: 'The unit\'s code.' }) code: string,
    @Args('input', { type: () => SenderCertificateInputType, description: 'The certificate and its key (uploads), and the password.' }) input: SenderCertificateInputType,
    @CurrentCaller() caller: Caller,
  ): Promise<SendingUnitSettingsType> {
    return this.service.setCertificate(caller, code, await credentialUpload(input));
  }
}
