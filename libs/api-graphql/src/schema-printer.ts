import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { API_RESOLVERS } from './api-graphql.module';

/** Builds the API's schema from its resolvers alone (no database, no server), as the running API serves it. */
export async function buildApiSchema(): Promise<GraphQLSchema> {
  const app = await NestFactory.create(GraphQLSchemaBuilderModule, { logger: false });
  try {
    await app.init();
    return lexicographicSortSchema(await app.get(GraphQLSchemaFactory).create(API_RESOLVERS));
  } finally {
    await app.close();
  }
}

/** The API's schema as SDL. */
export async function printApiSchema(): Promise<string> {
  return printSchema(await buildApiSchema());
}
