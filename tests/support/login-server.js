'use strict'
// Starts the real mp-session-server (the binary `cargo test -p mp-session-server` built) on
// 127.0.0.1 and an ephemeral port, over a SQLite file, in front of the mock WeChat; resolves
// once it prints `listening on http://ADDR`. `stop()` ends it; its log is kept.
const { spawn } = require('child_process')
const fs = require('fs')
const path = require('path')

const { REPO } = require('./build-example')

const BINARY = path.join(REPO, 'target', 'debug', 'mp-session-server')
const START_TIMEOUT_MS = 15000

/** @param {{ wechat: object, db: string }} o the mock WeChat and the SQLite file */
function startLoginServer({ wechat, db }) {
  if (!fs.existsSync(BINARY)) throw new Error(BINARY + ' is not built: cargo build -p mp-session-server')
  const child = spawn(BINARY, ['--appid', wechat.appid, '--listen', '127.0.0.1:0', '--store', 'sqlite://' + db,
    '--wechat-api', wechat.url, '--upstream-timeout-ms', '2000'], {
    env: { ...process.env, MP_SESSION_SECRET: wechat.secret, RUST_LOG: 'info' },
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
        stop: () => new Promise((done) => {
          if (child.exitCode !== null) return done()
          child.on('exit', () => done())
          child.kill('SIGTERM')
        }),
      })
    })
  })
}

module.exports = { startLoginServer }
