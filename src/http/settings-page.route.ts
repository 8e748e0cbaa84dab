/**
 * Serves the built MFA settings page (web/settings, `npm run settings:build`) at /settings. Every file is
 * read once at start into memory, so a request never touches the file system: no path is ever joined from
 * request text, and a file added later is not served. Loaded only when SETTINGS_PAGE is set.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type IncomingMessage, type ServerResponse } from 'node:http';

export const SETTINGS_PATH = '/settings';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page talks only to this origin and loads nothing from anywhere else; inline script and style are
 * refused, so an injected string cannot run.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

interface PageFile {
  readonly body: Buffer;
  readonly contentType: string;
  readonly cacheControl: string;
}

export interface SettingsPage {
  /** True when the path belongs to the page (then the answer has been sent). */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): boolean;
}

/** The page cannot be served; the message says how to build it. */
export class SettingsPageError extends Error {
  override readonly name = 'SettingsPageError';
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

export async function loadSettingsPage(dir: string): Promise<SettingsPage> {
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch (error) {
    throw new SettingsPageError(
      `SETTINGS_PAGE: cannot read ${dir}; build the page first with npm run settings:build.`,
      { cause: error },
    );
  }
  const byPath = new Map<string, PageFile>();
  for (const file of files) {
    const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()];
    if (!contentType) continue;
    const relative = path.relative(dir, file).split(path.sep).join('/');
    byPath.set(`${SETTINGS_PATH}/${relative}`, {
      body: await readFile(file),
      contentType,
      // Vite names built assets by content hash; the HTML names the current ones, so it is never cached.
      cacheControl: relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  }
  const index = byPath.get(`${SETTINGS_PATH}/index.html`);
  if (!index) {
    throw new SettingsPageError(
      `SETTINGS_PAGE: ${dir} has no index.html; build the page first with npm run settings:build.`,
    );
  }
  byPath.set(`${SETTINGS_PATH}/`, index);

  return {
    serve(req, res, pathname) {
      if (pathname !== SETTINGS_PATH && !pathname.startsWith(`${SETTINGS_PATH}/`)) return false;
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
        res.end('Method not allowed.\n');
        return true;
      }
      // One address for the page: /settings/ (the folder), as its asset URLs expect.
      if (pathname === SETTINGS_PATH) {
        res.writeHead(308, { location: `${SETTINGS_PATH}/` });
        res.end();
        return true;
      }
      const file = byPath.get(pathname);
      if (!file) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Not found.\n');
        return true;
      }
      res.writeHead(200, {
        'content-type': file.contentType,
        'content-length': file.body.length,
        'cache-control': file.cacheControl,
      });
      res.end(req.method === 'HEAD' ? undefined : file.body);
      return true;
    },
  };
}
