'use strict'
// Starts the real mp-session-server (the binary `cargo test -p mp-session-server` built) on
// 127.0.0.1 and an ephemeral port (or `listen`), over `store`, in front of the mock WeChat (for
// the mini-program, its phone numbers, the official account, and Douyin); resolves once it prints
// `listening on http://ADDR`. `stop()` ends it (SIGTERM), `crash()` kills it (SIGKILL); its log
// is kept.
const { spawn } = require('child_process')
const fs = require('fs')
const path = require('path')

const { REPO } = require('./build-example')

const BINARY = path.join(REPO, 'target', 'debug', 'mp-session-server')
/** The abuse limits' flags: each is off (0) unless the test's `args` set it (its logins all come from here). */
const LIMITS = ['--logins-per-minute-per-ip', '--logins-per-minute-per-user', '--calls-per-minute-per-token']
const START_TIMEOUT_MS = 15000

/**
 * @param {{ wechat: object, store: string, listen?: string, args?: string[], binary?: string }} o the
 *   mock WeChat, the store's URL, where to listen, more flags (`--cors-origin ...`; the abuse
 *   limits are off unless they set them), and the binary (the workspace's debug build unless told)
 */
function startLoginServer({ wechat, store, listen = '127.0.0.1:0', args = [], binary = BINARY }) {
  if (!fs.existsSync(binary)) throw new Error(binary + ' is not built: cargo build -p mp-session-server')
  const child = spawn(binary, ['--appid', wechat.appid, '--web-appid', wechat.oaAppid, '--douyin-appid', wechat.ttAppid,
    '--listen', listen, '--store', store, '--wechat-api', wechat.url, '--douyin-api', wechat.url,
    '--upstream-timeout-ms', '2000', ...LIMITS.filter((flag) => !args.includes(flag)).flatMap((flag) => [flag, '0']), ...args], {
    env: {
      ...process.env,
      MP_SESSION_SECRET: wechat.secret,
      MP_SESSION_WEB_SECRET: wechat.oaSecret,
      MP_SESSION_DOUYIN_SECRET: wechat.ttSecret,
      RUST_LOG: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  child.stderr.on('data', (chunk) => (log += chunk))
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error('mp-session-server did not start in ' + START_TIMEOUT_MS + ' ms:\n' + log))
    }, START_TIMEOUT_MS)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error('mp-session-server exited with ' + code + ':\n' + log))
    })
    child.stdout.on('data', (chunk) => {
      out += chunk
      const listening = /listening on (http:\/\/\S+)/.exec(out)
      if (!listening) return
      clearTimeout(timer)
      child.removeAllListeners('exit')
      resolve({
        url: listening[1],
        loginUrl: listening[1] + '/auth/login',
        log: () => log,
        stop: () => ended(child, 'SIGTERM'),
        crash: () => ended(child, 'SIGKILL'),
      })
    })
  })
}

/** Sends `signal` to `child`; resolves once it has exited. */
function ended(child, signal) {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done()
    child.on('exit', () => done())
    child.kill(signal)
  })
}

/**
 * A redis-server of its own on 127.0.0.1 and a free port (or `port`: a restart where the
 * last one was), persisting every write to `dir`; resolves once it accepts connections, with
 * `{ url, port, stop() }`.
 */
async function startRedis(dir, port = 0) {
  const net = require('net')
  if (!port) port = await new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address()
      probe.close(() => resolve(free))
    })
  })
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes',
    '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' })
  child.on('error', () => {})
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    const up = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true) })
      socket.on('error', () => resolve(false))
    })
    if (up) break
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL')
      throw new Error('redis-server did not start (is it installed? scripts/setup --redis)')
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    url: 'redis://127.0.0.1:' + port,
    port,
    stop: () => new Promise((done) => {
      if (child.exitCode !== null) return done()
      child.on('exit', () => done())
      child.kill('SIGTERM')
    }),
  }
}

module.exports = { startLoginServer, startRedis }
