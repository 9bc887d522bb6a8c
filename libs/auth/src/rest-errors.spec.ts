import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { NotFoundException } from '@nestjs/common';
import { AuthenticationError, ForbiddenError } from './auth.errors';
import { commonRestError, internalErrorAnswer, sendRestError } from './rest-errors';

describe('REST error answers shared by the hub’s REST APIs', () => {
  it('maps authentication, roles and Nest’s HTTP exceptions, and nothing else', () => {
    expect(commonRestError(new AuthenticationError('expired', 'the token expired'))).toEqual({
      status: 401,
      error: { code: 'UNAUTHENTICATED', message: 'the token expired' },
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="expired"' },
    });
    expect(commonRestError(new ForbiddenError(['print-vendor'], ['case-system']))).toMatchObject({ status: 403, error: { code: 'FORBIDDEN' } });
    expect(commonRestError(new NotFoundException('no route'))).toMatchObject({ status: 404, error: { code: 'NOT_FOUND', message: 'no route' } });
    expect(commonRestError(new Error('boom'))).toBeUndefined();
    const internal = internalErrorAnswer();
    expect(internal).toMatchObject({ status: 500, error: { code: 'INTERNAL', errorId: internal.errorId } });
    expect(internal.error.message).toContain(internal.errorId);
  });

  it('sends JSON with its headers, and cuts a transfer whose headers are already sent', async () => {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/midway') res.writeHead(200, { 'Content-Type': 'application/pdf' }).write('%PDF-partial');
      sendRestError(res, commonRestError(new AuthenticationError('missing-token', 'send a token'))!);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const res = await fetch(`${base}/`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
      expect(await res.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'send a token' } });
      // The client sees the transfer fail, never a complete (truncated) file.
      await expect(fetch(`${base}/midway`).then((r) => r.arrayBuffer())).rejects.toThrow();
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
