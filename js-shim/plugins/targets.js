'use strict'
// What a framework build for one mini-program platform needs from mp-session (Node side, for
// the Taro and Vite plugins): WeChat and Douyin load the WebAssembly core from the package
// path the loader opens by default, so the build must carry the file there; the platforms
// with no WebAssembly in the logic layer get the plain-JavaScript entry instead; a WeChat
// build also carries the core as JavaScript in a subpackage, for phones whose WebAssembly
// fails (the app's `fallback` option loads it).
const path = require('path')

/** The package's root: this file is in plugins/. */
const ROOT = path.join(__dirname, '..')

/** The core, as shipped. */
const WASM_FILE = path.join(ROOT, 'miniprogram', 'mp_session.wasm.br')

/** Where in the build output the loader looks for it (js-shim/core.js DEFAULT_WASM_PATH). */
const WASM_OUTPUT = 'miniprogram_npm/mp-session/mp_session.wasm.br'

/** The plain-JavaScript entry, for platforms with no WebAssembly. */
const PLAIN_ENTRY = path.join(ROOT, 'plain', 'index.js')

/** The core as JavaScript, which a WeChat app loads from a subpackage where WebAssembly fails. */
const FALLBACK_FILE = path.join(ROOT, 'fallback', 'index.js')

/** The subpackage the README's setup declares, and the file in it (the `fallback` option loads it). */
const FALLBACK_ROOT = 'mp-session-fallback'
const FALLBACK_OUTPUT = FALLBACK_ROOT + '/index.js'

/**
 * Whether a build for `platform` carries the fallback: WeChat's (weapp, mp-weixin), whose
 * `require.async` reaches a subpackage (base library 2.11.2).
 */
function fallsBack(platform) {
  return platform === 'weapp' || platform === 'mp-weixin'
}

/**
 * The text of an app.json with the fallback's subpackage declared (once; under the key the
 * app already uses). @param {string} text
 */
function declareFallback(text) {
  const app = JSON.parse(text)
  const key = app.subpackages && !app.subPackages ? 'subpackages' : 'subPackages'
  const list = app[key] || []
  if (!list.some((p) => p && String(p.root).replace(/\/$/, '') === FALLBACK_ROOT)) list.push({ root: FALLBACK_ROOT, pages: [] })
  app[key] = list
  return JSON.stringify(app, null, 2)
}

/**
 * What a build for `platform` needs: `'wasm'` (carry the .wasm.br), `'plain'` (use the plain
 * entry) or `null` (not a mini-program build: nothing to do). `platform` is the framework's
 * name for it: Taro's TARO_ENV (weapp, tt, qq, swan, alipay, kwai, jd, h5, ...) or uni-app's
 * UNI_PLATFORM (mp-weixin, mp-toutiao, mp-qq, mp-baidu, mp-alipay, mp-kuaishou, ...).
 */
function needs(platform) {
  switch (platform) {
    case 'weapp':
    case 'mp-weixin':
    case 'tt':
    case 'mp-toutiao':
      return 'wasm'
    case 'qq':
    case 'mp-qq':
    case 'swan':
    case 'mp-baidu':
    case 'alipay':
    case 'mp-alipay':
    case 'kwai':
    case 'mp-kuaishou':
      return 'plain'
    default:
      return null
  }
}

module.exports = { needs, fallsBack, declareFallback, WASM_FILE, WASM_OUTPUT, PLAIN_ENTRY, FALLBACK_FILE, FALLBACK_OUTPUT }
