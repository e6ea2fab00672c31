'use strict'
// The web build end to end in headless Chromium: an official-account page served on
// 127.0.0.1, the mock OAuth authorize page, the real login service (mp-session-server over a
// SQLite file, the page's origin given as --cors-origin). The first visit leaves
// for the authorize page and comes back with a code; a reload uses the stored session; a
// tampered state is refused. Screenshots go to test-output/web/.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('fs')
const os = require('os')
const path = require('path')

const { startWechatServer } = require('../support/wechat-server')
const { startLoginServer } = require('../support/login-server')
const { startWebServer } = require('../support/web-server')
const { launchChromium, shownSession: shown } = require('../support/browser')

const REPO = path.join(__dirname, '..', '..')
const SHOTS = path.join(process.env.MP_SESSION_TEST_OUTPUT || path.join(REPO, 'test-output'), 'web')
let wechat, server, web, browser
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-web-'))
/** Logins the server made: each is one OAuth code exchange at the mock. */
const posts = () => wechat.stats.oauthExchanges

test.before(async () => {
  wechat = await startWechatServer()
  const config = { appid: wechat.oaAppid, authorizeUrl: wechat.url + '/connect/oauth2/authorize' }
  web = await startWebServer({ config })
  server = await startLoginServer({
    wechat, store: 'sqlite://' + path.join(dir, 'sessions.db'), args: ['--cors-origin', new URL(web.url).origin],
  })
  config.loginUrl = server.loginUrl
  browser = await launchChromium()
  fs.mkdirSync(SHOTS, { recursive: true })
  fs.mkdirSync(path.join(SHOTS, '..', 'secrets'), { recursive: true })
})

test.after(async () => {
  if (browser) await browser.close()
  if (web) await web.close()
  if (server) {
    await server.stop()
    // Its log and its store join what the leak scan reads.
    fs.mkdirSync(path.join(SHOTS, '..', 'server'), { recursive: true })
    fs.writeFileSync(path.join(SHOTS, '..', 'server', 'web-' + process.pid + '.log'), server.log())
    fs.cpSync(dir, path.join(SHOTS, '..', 'stores', 'web-' + process.pid), { recursive: true })
  }
  fs.rmSync(dir, { recursive: true, force: true })
  if (wechat) {
    // For the leak scan (scripts/scan-secrets.js), as the simulator suites record theirs.
    fs.writeFileSync(path.join(SHOTS, '..', 'secrets', 'web.test.js-' + process.pid + '.json'), JSON.stringify(wechat.secrets()))
    fs.writeFileSync(path.join(SHOTS, '..', 'secrets', 'web.test.js-' + process.pid + '.kept-by-server.json'), JSON.stringify(wechat.keptByServer()))
    await wechat.close()
  }
})

async function screenshot(page, name) {
  const file = path.join(SHOTS, name + '.png')
  await page.screenshot({ path: file })
  const png = fs.readFileSync(file)
  assert.equal(png.subarray(1, 4).toString(), 'PNG')
  assert.ok(png.length > 2000, 'a screenshot of a rendered page')
  return file
}

let visitor // one browser profile: the first visit, then the reload

test('first visit: off to the authorize page and back with a code; the page shows the openid', async () => {
  visitor = await browser.newContext()
  const page = await visitor.newPage()
  const before = posts()

  await page.goto(web.url)
  const seen = await shown(page)

  assert.deepEqual({ openid: seen.openid, unionid: seen.unionid, source: seen.source, error: seen.error },
    { openid: 'oa-sim-user', unionid: 'u-sim-user', source: 'login', error: '' })
  assert.equal(wechat.stats.authorizeHits, 1)
  assert.equal(posts() - before, 1, 'one code posted, exchanged by the server as an official account\'s')
  assert.equal(seen.url, web.url, 'code and state are gone from the address bar')
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('mp-session:default')))
  assert.equal(stored.openid, 'oa-sim-user')
  assert.equal(await page.evaluate(() => sessionStorage.getItem('mp-session:oauth-state')), null, 'the state is used once')
  await screenshot(page, 'first-visit')
  assert.match(await page.textContent('body'), /Logged in\.[\s\S]*oa-sim-user/)
})

test('reload: the stored session, with no redirect and no POST', async () => {
  const page = visitor.pages()[0]
  const before = posts()
  const hits = wechat.stats.authorizeHits

  await page.reload()
  const seen = await shown(page)

  assert.equal(seen.source, 'cache')
  assert.equal(seen.openid, 'oa-sim-user')
  assert.equal(wechat.stats.authorizeHits, hits)
  assert.equal(posts(), before)
  await screenshot(page, 'reload')
  assert.match(await page.textContent('body'), /Welcome back\./)
})

test('a tampered state: the code is not posted and the page shows the CSRF error', async () => {
  const context = await browser.newContext()
  const page = await context.newPage()
  const before = posts()
  const hits = wechat.stats.authorizeHits

  await page.goto(web.url + '?code=sim-forged-code&state=not-the-stored-one')
  const seen = await shown(page)

  assert.match(seen.error, /^STATE_MISMATCH: mp-session: the OAuth redirect came back with a missing or wrong state/)
  assert.equal(posts(), before, 'nothing posted')
  assert.equal(wechat.stats.authorizeHits, hits, 'no redirect either')
  assert.equal(seen.url, web.url, 'the forged code is gone from the address bar')
  await screenshot(page, 'tampered-state')
  assert.match(await page.textContent('#error'), /STATE_MISMATCH/)
  await context.close()
})
