'use strict'
// What a framework build for one mini-program platform needs from mp-session (Node side, for
// the Taro and Vite plugins): WeChat and Douyin load the WebAssembly core from the package
// path the loader opens by default, so the build must carry the file there; the platforms
// with no WebAssembly in the logic layer get the plain-JavaScript entry instead.
const path = require('path')

/** The package's root: this file is in plugins/. */
const ROOT = path.join(__dirname, '..')

/** The core, as shipped. */
const WASM_FILE = path.join(ROOT, 'miniprogram', 'mp_session.wasm.br')

/** Where in the build output the loader looks for it (js-shim/core.js DEFAULT_WASM_PATH). */
const WASM_OUTPUT = 'miniprogram_npm/mp-session/mp_session.wasm.br'

/** The plain-JavaScript entry, for platforms with no WebAssembly. */
const PLAIN_ENTRY = path.join(ROOT, 'plain', 'index.js')

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

module.exports = { needs, WASM_FILE, WASM_OUTPUT, PLAIN_ENTRY }
