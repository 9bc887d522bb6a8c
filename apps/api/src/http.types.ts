import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiRequest } from '@hub/api-graphql';

// The few parts of express' request and response the API's middleware uses (the project carries no @types/express).
export type HttpRequest = IncomingMessage &
  ApiRequest & {
    originalUrl: string;
    body?: unknown;
  };

export type HttpResponse = ServerResponse & {
  status(code: number): HttpResponse;
  json(body: unknown): HttpResponse;
  send(body: unknown): HttpResponse;
};

export type NextFunction = (err?: unknown) => void;
