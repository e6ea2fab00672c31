'use strict'
// Headless Chromium for the web demo page, as the test and the demo both drive it.
const { chromium } = require('playwright-core')

/** Debian's Chromium; a download of Playwright's own browser is not possible here. */
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
// As this machine's probe starts it: without the background-networking flags Chromium keeps
// trying hosts the closed network refuses.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']

function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS })
}

/** Waits until the demo page (examples/web/) shows a session or an error; returns what it shows. */
async function shownSession(page) {
  await page.waitForFunction(() => !document.getElementById('session').hidden || !document.getElementById('error').hidden,
    null, { timeout: 15000 })
  return page.evaluate(() => ({
    status: document.getElementById('status').textContent,
    openid: document.getElementById('openid').textContent,
    unionid: document.getElementById('unionid').textContent,
    source: document.getElementById('source').textContent,
    error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
    url: location.href,
  }))
}

module.exports = { launchChromium, shownSession }
