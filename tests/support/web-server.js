'use strict'
// Serves the web demo page on 127.0.0.1: examples/web/, the built package under
// /mp-session/, and a config.json pointing at the development backend and the mock OAuth
// authorize page. Counts what it served.
const fs = require('fs')
const http = require('http')
const path = require('path')

const REPO = path.join(__dirname, '..', '..')
const TYPES = { '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' }

async function startWebServer({ config }) {
  const stats = { pages: 0, served: [] }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1')
    stats.served.push(url.pathname + url.search)
    if (url.pathname === '/config.json') {
      res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' })
      return res.end(JSON.stringify(config))
    }
    const file = url.pathname.startsWith('/mp-session/')
      ? path.join(REPO, 'pkg', url.pathname.slice('/mp-session/'.length))
      : path.join(REPO, 'examples', 'web', url.pathname === '/' ? 'index.html' : url.pathname)
    const root = url.pathname.startsWith('/mp-session/') ? path.join(REPO, 'pkg') : path.join(REPO, 'examples', 'web')
    if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      return res.end('not found')
    }
    if (file.endsWith('index.html')) stats.pages++
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' })
    fs.createReadStream(file).pipe(res)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    stats,
    url: 'http://127.0.0.1:' + server.address().port + '/',
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(resolve)
    }),
  }
}

module.exports = { startWebServer }
