'use strict'
// The demo: the example mini-program's cold launch, then its warm launch after a restart, in
// the strict WeChat simulator, against the real login service (mp-session-server, sessions in
// a SQLite file) on 127.0.0.1, in front of a mock of WeChat's API. Prints every step, the
// calls each launch made, what the server knows, and the size of what ships.
const fs = require('fs')
const os = require('os')
const path = require('path')

const { startWechatServer } = require('../tests/support/wechat-server')
const { startLoginServer } = require('../tests/support/login-server')
const { buildExample, REPO } = require('../tests/support/build-example')
const { createMiniProgram } = require('../tests/support/wechat-sim')
const { measure } = require('../scripts/sizes')

const say = (text) => console.log('\x1b[1m[demo]\x1b[0m ' + text)

async function launch(label, options) {
  const app = createMiniProgram(options)
  say(label + ': app.js → App.onLaunch → createSession(...).launch(); page onLoad → ensure()')
  app.launch()
  await app.waitFor(() => app.page.data.openid || app.page.data.error, 10000, 'the page to show the session')
  const page = app.page.data
  if (page.error) throw new Error(label + ' failed: ' + page.error)
  console.log('       page shows   openid=' + page.openid + '  unionid=' + page.unionid + '  source=' + page.source)
  console.log('       calls        wx.login ×' + app.stats.logins + '   wx.request ×' + app.stats.requests +
    '   storage reads ×' + app.storage.stats.reads + '   storage writes ×' + app.storage.stats.writes +
    '   WXWebAssembly.instantiate ×' + app.stats.instantiations)
  // Everything the app did through the core: loading it, the session, both pages' calls.
  console.log('       across the JS/wasm boundary: ' + app.stats.crossings.in + ' calls in, ' + app.stats.crossings.out + ' out')
  app.close()
  return { app, page }
}

async function main() {
  const wechat = await startWechatServer()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-demo-'))
  const database = path.join(dir, 'sessions.db')
  const server = await startLoginServer({ wechat, store: 'sqlite://' + database })
  say('mock WeChat API on ' + wechat.url + '; mp-session-server listening on ' + server.url + ' (sessions in ' + database + ')')
  const example = await buildExample({ loginUrl: server.loginUrl })
  say('build npm (miniprogram-ci packNpmManually): miniprogram_npm/mp-session/ = ' + fs.readdirSync(example.npmDir).join(', '))
  const storageFile = path.join(dir, 'storage.json')
  const phone = { root: example.dir, storageFile, wechat, platform: 'ios', echoConsole: true }
  try {
    say('the simulated phone: iOS rules (MVP-only wasm, no Global exports), no WebAssembly, no TextEncoder/TextDecoder')
    const cold = await launch('cold launch', phone)
    const stored = JSON.parse(cold.app.storage.raw('mp-session:default'))
    say('stored under mp-session:default, in one write: ' + JSON.stringify({ ...stored, token: stored.token && '(token, ' + stored.token.length + ' chars)' }))
    await launch('warm launch (app closed and opened again)', phone)

    say('your own server asks mp-session-server whose token this is: GET /auth/session, Authorization: Bearer <token>')
    const who = await fetch(server.url + '/auth/session', { headers: { authorization: 'Bearer ' + stored.token } })
    console.log('       ' + who.status + ' ' + JSON.stringify(await who.json()))
    say('the server\'s log (no AppSecret, no session_key, no token):')
    for (const line of server.log().trim().split('\n')) console.log('       ' + line.replace(/^\S+\s+/, ''))

    say('what ships in miniprogram_npm/mp-session/:')
    let total = 0
    for (const row of measure(path.join(REPO, 'pkg', 'miniprogram'))) {
      total += row.raw
      console.log('       ' + row.file.padEnd(18) + String(row.raw).padStart(8) + ' bytes' + String(row.brotli).padStart(8) + ' brotli')
    }
    console.log('       ' + 'total'.padEnd(18) + String(total).padStart(8) + ' bytes')
  } finally {
    await server.stop()
    await wechat.close()
    fs.rmSync(example.dir, { recursive: true, force: true })
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
