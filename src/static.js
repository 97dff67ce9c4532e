// Serve the built operator UI (dist/ui) under /ui/.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

export const CONTENT_TYPES = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
});

/**
 * Map a request path below the /ui/ prefix to a file inside root, or return
 * null when it would escape root or is otherwise not servable.
 * @param {string} root absolute directory
 * @param {string} rest the URL path after "/ui/" (still percent-encoded)
 */
export function resolveUiPath(root, rest) {
  let decoded;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return null; // no traversal, no dotfiles
  const rel = decoded === '' || decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const full = path.resolve(root, rel);
  if (full !== root && !full.startsWith(root + path.sep)) return null;
  return full;
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {string} root
 * @param {string} rest
 * @returns {Promise<number>} the status code sent
 */
export async function serveUi(req, res, root, rest) {
  const file = resolveUiPath(root, rest);
  const ext = file ? path.extname(file) : '';
  if (!file || !CONTENT_TYPES[ext]) return sendText(res, 404, 'not found\n');
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    if (err.code === 'ENOENT' && rest === '') {
      return sendText(res, 404, 'operator UI is not built: run `npm run build:ui`\n');
    }
    return sendText(res, 404, 'not found\n');
  }
  if (!info.isFile()) return sendText(res, 404, 'not found\n');
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[ext],
    'Content-Length': info.size,
    'Cache-Control': ext === '.html' ? 'no-cache' : 'public, max-age=300',
    'Content-Security-Policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  });
  if (req.method === 'HEAD') {
    res.end();
    return 200;
  }
  await new Promise((resolve) => {
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    res.on('close', resolve);
    stream.pipe(res);
  });
  return 200;
}

function sendText(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
  return status;
}
