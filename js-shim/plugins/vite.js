'use strict'
// The Vite plugin for uni-app: `plugins: [uni(), mpSession()]` in vite.config.js. For
// `uni build -p mp-weixin` or `mp-toutiao` and their development builds it puts the
// WebAssembly core into the output where the loader opens it
// (/miniprogram_npm/mp-session/mp_session.wasm.br); for platforms with no WebAssembly
// (mp-qq, mp-baidu, mp-alipay, mp-kuaishou) it makes `mp-session` resolve to the plain entry.
// Option: `output`, another path for the file in the output (then pass the same `wasmPath`).
const fs = require('fs')
const { needs, WASM_FILE, WASM_OUTPUT, PLAIN_ENTRY } = require('./targets')

function mpSession(options = {}) {
  const need = needs(process.env.UNI_PLATFORM)
  return {
    name: 'mp-session',
    config() {
      if (need === 'plain') return { resolve: { alias: [{ find: /^mp-session$/, replacement: PLAIN_ENTRY }] } }
      return undefined
    },
    buildStart() {
      if (need === 'wasm') this.addWatchFile(WASM_FILE)
    },
    generateBundle() {
      if (need !== 'wasm') return
      this.emitFile({ type: 'asset', fileName: options.output || WASM_OUTPUT, source: fs.readFileSync(WASM_FILE) })
    },
  }
}

module.exports = mpSession
module.exports.default = mpSession
module.exports.mpSession = mpSession
