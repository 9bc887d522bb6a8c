import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { HttpRequest, HttpResponse, NextFunction } from './http.types';

/** Paths the API answers itself; everything else a browser asks for as a page is the console. */
const API_PREFIXES = ['/graphql', '/print/', '/delivery-log/', '/console/v1/', '/health', '/metrics'];

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

/** The hub's version from its package.json (dist/apps/api/src → the project root), or "unknown". */
export function hubVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export interface ConsoleServing {
  /** Directory of the built console (index.html, assets/). */
  dir: string;
  issuer: string;
  clientId: string;
  version: string;
}

function securityHeaders(res: HttpResponse, issuer: string): void {
  const idp = new URL(issuer).origin;
  res.setHeader(
    'content-security-policy',
    [
      "default-src 'self'",
      `connect-src 'self' ${idp}`,
      "img-src 'self' data: blob:",
      "frame-src 'self' blob:",
      "object-src 'none'",
      "style-src 'self'",
      "script-src 'self'",
      "base-uri 'none'",
      "form-action 'self' " + idp,
      "frame-ancestors 'none'",
    ].join('; '),
  );
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
}

/**
 * Serves the web console: `/console/config.json` (where to log in), the built files under
 * `/assets/` (content-hashed: cached for a year), and index.html for every other page a browser
 * asks for (the console routes in the browser). Without a build, a page request gets 503 saying so.
 */
export function consoleMiddleware(options: ConsoleServing) {
  const indexFile = join(options.dir, 'index.html');
  const root = normalize(options.dir + sep);
  let index: Buffer | null = null;
  const config = JSON.stringify({ issuer: options.issuer, clientId: options.clientId, scope: 'openid profile', version: options.version });
  return (req: HttpRequest, res: HttpResponse, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = (req.originalUrl ?? req.url ?? '/').split('?')[0];
    if (path === '/console/config.json') {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      res.end(config);
      return;
    }
    if (API_PREFIXES.some((p) => path === p || path.startsWith(p))) return next();
    if (path.startsWith('/assets/') || path === '/favicon.ico') {
      const file = normalize(join(options.dir, decodeURIComponent(path)));
      if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
      res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      res.setHeader('x-content-type-options', 'nosniff');
      if (req.method === 'HEAD') return void res.end();
      createReadStream(file).pipe(res);
      return;
    }
    if (!(req.headers.accept ?? '').includes('text/html')) return next();
    if (!index) {
      if (!existsSync(indexFile)) {
        res.statusCode = 503;
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end(`The web console is not built (no ${indexFile}); run \`npm run build\`.\n`);
        return;
      }
      index = readFileSync(indexFile);
    }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-cache');
    securityHeaders(res, options.issuer);
    res.end(req.method === 'HEAD' ? undefined : index);
  };
}
