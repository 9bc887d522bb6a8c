import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('ApiClient', {
  description:
    'A case system (verksamhetssystem) of the municipality that calls the API with its own client id and secret (OAuth client credentials). ' +
    'Its tokens carry the municipality (organization), the role case-system and, when bound, the sending unit.',
})
export class ApiClientType {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'A name the admins recognise, e.g. the case system\'s name.' })
  name!: string;

  @Field({ description: 'The OAuth client id at the identity provider (the token\'s azp/client_id).' })
  clientId!: string;

  @Field(() => String, { nullable: true, description: 'The sending unit code its letters are sent as; null: the client names the unit per letter.' })
  sendingUnit!: string | null;

  @Field(() => String, { nullable: true, description: 'The sending unit\'s name.' })
  sendingUnitName!: string | null;

  @Field()
  createdAt!: Date;

  @Field(() => String, { nullable: true, description: 'Who created it (user id); null for clients registered before the console.' })
  createdBy!: string | null;

  @Field(() => Date, { nullable: true, description: 'When its secret was last rotated.' })
  secretRotatedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was revoked: the API refuses its tokens (other API processes within 30 seconds).' })
  revokedAt!: Date | null;

  @Field(() => String, { nullable: true })
  revokedBy!: string | null;

  @Field({
    description:
      'Registered at the identity provider by the hub (RFC 7591), so the hub can rotate its secret and remove it there. False for clients registered there by hand (rotate and remove those at the identity provider).',
  })
  managed!: boolean;

  @Field(() => Date, { nullable: true, description: 'When the identity provider removed it (after a revocation): it gets no new tokens.' })
  identityProviderRemovedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why removing it at the identity provider failed last (revoke again to retry); null when it did not fail.' })
  identityProviderError!: string | null;
}

@ObjectType('ApiClientCredentials', { description: 'An API client with its credentials: returned once, when it is created or its secret rotated.' })
export class ApiClientCredentialsType {
  @Field(() => ApiClientType)
  apiClient!: ApiClientType;

  @Field({ description: 'The OAuth client id.' })
  clientId!: string;

  @Field({ description: 'The client secret. Shown only now: give it to the case system; the hub does not keep it.' })
  clientSecret!: string;

  @Field(() => String, { nullable: true, description: 'Where the case system gets its tokens (grant_type=client_credentials), from the identity provider\'s discovery document.' })
  tokenEndpoint!: string | null;
}
