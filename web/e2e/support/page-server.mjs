// A tiny web server for the built page (dist/) on 127.0.0.1, standing in
// for the web container: /api/* is forwarded to the service as it came
// (method, headers with Origin and Cookie, body) and the answer goes back as
// it is (Set-Cookie included), streamed, so server-sent events pass. Every
// other path that is not a file gets index.html. The service port can change
// (restart) with setTarget().

import { createServer, request } from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, resolve, sep } from 'node:path'

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

// Hop-by-hop headers belong to one connection, not to the message.
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']

function withoutHopByHop(headers) {
  const out = { ...headers }
  for (const name of HOP_BY_HOP) delete out[name]
  return out
}

function sendGatewayError(res) {
  const text = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>'
  res.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/**
 * @param {string} distDir the built page
 * @returns {Promise<{ url: string, setTarget: (port: number|null) => void, close: () => Promise<void> }>}
 */
export async function startPageServer(distDir) {
  const root = resolve(distDir)
  let targetPort = null

  function forward(req, res) {
    // Without the service, answer like nginx or a dev proxy: a gateway error
    // with an HTML body, not the service's JSON.
    if (targetPort === null) {
      sendGatewayError(res)
      return
    }
    const upstream = request(
      {
        host: '127.0.0.1',
        port: targetPort,
        method: req.method,
        path: req.url,
        headers: { ...withoutHopByHop(req.headers), connection: 'close' },
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers))
        answer.pipe(res)
      },
    )
    upstream.on('error', () => {
      if (!res.headersSent) sendGatewayError(res)
      else res.destroy()
    })
    // A browser that goes away (a closed tab's event stream) ends its request to the service too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
    req.pipe(upstream)
  }

  async function serveFile(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' })
      res.end()
      return
    }
    let pathname
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)
    } catch {
      res.writeHead(400)
      res.end()
      return
    }
    let file = normalize(join(root, pathname))
    if (file !== root && !file.startsWith(root + sep)) file = join(root, 'index.html')
    try {
      if (!(await stat(file)).isFile()) file = join(root, 'index.html')
    } catch {
      file = join(root, 'index.html')
    }
    try {
      const body = await readFile(file)
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-store',
      })
      res.end(req.method === 'HEAD' ? undefined : body)
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('dist/ is missing: run vite build first')
    }
  }

  const server = createServer((req, res) => {
    if ((req.url ?? '').startsWith('/api/')) forward(req, res)
    else void serveFile(req, res)
  })
  await new Promise((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolveListen)
  })
  const { port } = server.address()

  return {
    url: `http://127.0.0.1:${port}`,
    setTarget(next) {
      targetPort = next
    },
    close() {
      server.closeAllConnections?.()
      return new Promise((resolveClose) => server.close(() => resolveClose()))
    },
  }
}
