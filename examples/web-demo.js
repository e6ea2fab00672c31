'use strict'
// The web demo: an official-account page (examples/web/) on 127.0.0.1 with the mock OAuth
// authorize page and the real login service (mp-session-server over a SQLite file, the page's
// origin allowed with --cors-origin). It walks headless Chromium through the first
// visit (off to authorize and back with a code) and a reload (the stored session), printing
// each step; with --serve it then keeps serving for a browser of your own.
const fs = require('fs')
const os = require('os')
const path = require('path')

const { startWechatServer } = require('../tests/support/wechat-server')
const { startLoginServer } = require('../tests/support/login-server')
const { startWebServer } = require('../tests/support/web-server')
const { launchChromium, shownSession } = require('../tests/support/browser')

const say = (text) => console.log('\x1b[1m[web demo]\x1b[0m ' + text)

async function main() {
  const wechat = await startWechatServer()
  const config = { appid: wechat.oaAppid, authorizeUrl: wechat.url + '/connect/oauth2/authorize' }
  const web = await startWebServer({ config })
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-web-demo-'))
  const backend = await startLoginServer({
    wechat, store: 'sqlite://' + path.join(shots, 'sessions.db'), args: ['--cors-origin', new URL(web.url).origin],
  })
  config.loginUrl = backend.loginUrl
  say('page ' + web.url + ', mock authorize ' + wechat.url + '/connect/oauth2/authorize, mp-session-server ' + backend.loginUrl)
  const browser = await launchChromium()
  try {
    const page = await (await browser.newContext()).newPage()
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) console.log('       navigated  ' + frame.url().replace(/code=[^&]+/, 'code=…').replace(/state=[^&#]+/, 'state=…'))
    })
    for (const [label, go] of [['first visit', () => page.goto(web.url)], ['reload', () => page.reload()]]) {
      const posts = wechat.stats.oauthExchanges
      const hits = wechat.stats.authorizeHits
      say(label)
      await go()
      const seen = await shownSession(page)
      console.log('       page shows openid=' + seen.openid + '  unionid=' + seen.unionid + '  source=' + seen.source +
        (seen.error ? '  error=' + seen.error : ''))
      console.log('       authorize ×' + (wechat.stats.authorizeHits - hits) + '   POST ×' + (wechat.stats.oauthExchanges - posts) + '   address ' + page.url())
      const file = path.join(shots, label.replace(' ', '-') + '.png')
      await page.screenshot({ path: file })
      console.log('       screenshot ' + file)
    }
    if (process.argv.includes('--serve')) {
      say('serving ' + web.url + ' until Ctrl-C (open it in a browser of your own)')
      await new Promise(() => {})
    }
  } finally {
    await browser.close()
    await web.close()
    await backend.stop()
    await wechat.close()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
