'use strict'
// The web build end to end in headless Chromium: an official-account page served on
// 127.0.0.1, the mock OAuth authorize page, the development backend. The first visit leaves
// for the authorize page and comes back with a code; a reload uses the stored session; a
// tampered state is refused. Screenshots go to test-output/web/.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('fs')
const path = require('path')

const { startWechatServer } = require('../support/wechat-server')
const { startDevBackend } = require('../support/dev-backend')
const { startWebServer } = require('../support/web-server')
const { launchChromium, shownSession: shown } = require('../support/browser')

const REPO = path.join(__dirname, '..', '..')
const SHOTS = path.join(process.env.MP_SESSION_TEST_OUTPUT || path.join(REPO, 'test-output'), 'web')
let wechat, backend, web, browser

test.before(async () => {
  wechat = await startWechatServer()
  backend = await startDevBackend({ wechat })
  web = await startWebServer({
    config: { loginUrl: backend.loginUrl, appid: wechat.oaAppid, authorizeUrl: wechat.url + '/connect/oauth2/authorize' },
  })
  browser = await launchChromium()
  fs.mkdirSync(SHOTS, { recursive: true })
  fs.mkdirSync(path.join(SHOTS, '..', 'secrets'), { recursive: true })
})

test.after(async () => {
  if (browser) await browser.close()
  if (web) await web.close()
  if (backend) await backend.close()
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
  const posts = backend.stats.posts

  await page.goto(web.url)
  const seen = await shown(page)

  assert.deepEqual({ openid: seen.openid, unionid: seen.unionid, source: seen.source, error: seen.error },
    { openid: 'oa-sim-user', unionid: 'u-sim-user', source: 'login', error: '' })
  assert.equal(wechat.stats.authorizeHits, 1)
  assert.equal(backend.stats.posts - posts, 1)
  assert.equal(backend.stats.bodies.at(-1).platform, 'web')
  assert.equal(seen.url, web.url, 'code and state are gone from the address bar')
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('mp-session:default')))
  assert.equal(stored.openid, 'oa-sim-user')
  assert.equal(await page.evaluate(() => sessionStorage.getItem('mp-session:oauth-state')), null, 'the state is used once')
  await screenshot(page, 'first-visit')
  assert.match(await page.textContent('body'), /Logged in\.[\s\S]*oa-sim-user/)
})

test('reload: the stored session, with no redirect and no POST', async () => {
  const page = visitor.pages()[0]
  const posts = backend.stats.posts
  const hits = wechat.stats.authorizeHits

  await page.reload()
  const seen = await shown(page)

  assert.equal(seen.source, 'cache')
  assert.equal(seen.openid, 'oa-sim-user')
  assert.equal(wechat.stats.authorizeHits, hits)
  assert.equal(backend.stats.posts, posts)
  await screenshot(page, 'reload')
  assert.match(await page.textContent('body'), /Welcome back\./)
})

test('a tampered state: the code is not posted and the page shows the CSRF error', async () => {
  const context = await browser.newContext()
  const page = await context.newPage()
  const posts = backend.stats.posts
  const hits = wechat.stats.authorizeHits

  await page.goto(web.url + '?code=sim-forged-code&state=not-the-stored-one')
  const seen = await shown(page)

  assert.match(seen.error, /^STATE_MISMATCH: mp-session: the OAuth redirect came back with a missing or wrong state/)
  assert.equal(backend.stats.posts, posts, 'nothing posted')
  assert.equal(wechat.stats.authorizeHits, hits, 'no redirect either')
  assert.equal(seen.url, web.url, 'the forged code is gone from the address bar')
  await screenshot(page, 'tampered-state')
  assert.match(await page.textContent('#error'), /STATE_MISMATCH/)
  await context.close()
})
