'use strict'
// The Vite plugin for uni-app: `plugins: [uni(), mpSession()]` in vite.config.js. For
// `uni build -p mp-weixin` or `mp-toutiao` and their development builds it puts the
// WebAssembly core into the output where the loader opens it
// (/miniprogram_npm/mp-session/mp_session.wasm.br); for platforms with no WebAssembly
// (mp-qq, mp-baidu, mp-alipay, mp-kuaishou) it makes `mp-session` resolve to the plain entry.
// An mp-weixin build also gets the core as JavaScript in the subpackage mp-session-fallback
// (the file, and its declaration in app.json), which the app's `fallback` option loads.
// Option: `output`, another path for the file in the output (then pass the same `wasmPath`).
const fs = require('fs')
const path = require('path')
const { needs, fallsBack, declareFallback, WASM_FILE, WASM_OUTPUT, PLAIN_ENTRY, FALLBACK_FILE, FALLBACK_OUTPUT } = require('./targets')

function mpSession(options = {}) {
  const need = needs(process.env.UNI_PLATFORM)
  const fallback = need === 'wasm' && fallsBack(process.env.UNI_PLATFORM)
  /** Where the build writes (writeBundle says). */
  let outputDir = null
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
      if (fallback) this.emitFile({ type: 'asset', fileName: FALLBACK_OUTPUT, source: fs.readFileSync(FALLBACK_FILE) })
    },
    writeBundle(output) {
      outputDir = output.dir || (output.file && path.dirname(output.file)) || null
    },
    // app.json is uni-app's to write: once the bundle is out, the fallback's subpackage is
    // declared in it.
    closeBundle() {
      if (!fallback || !outputDir) return
      const appJson = path.join(outputDir, 'app.json')
      if (fs.existsSync(appJson)) fs.writeFileSync(appJson, declareFallback(fs.readFileSync(appJson, 'utf8')))
    },
  }
}

module.exports = mpSession
module.exports.default = mpSession
module.exports.mpSession = mpSession
