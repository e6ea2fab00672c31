'use strict'
// The Taro plugin: `plugins: ['mp-session/taro']` in config/index.js. For `taro build --type
// weapp` or `tt` (with or without --watch) it puts the WebAssembly core into the output where
// the loader opens it (/miniprogram_npm/mp-session/mp_session.wasm.br); for platforms with no
// WebAssembly (qq, swan, alipay, kwai) it makes `mp-session` resolve to the plain entry. A
// weapp build also gets the core as JavaScript in the subpackage mp-session-fallback (the file,
// and its declaration in app.json), which the app's `fallback` option loads.
// Option: `output`, another path for the file in the output (then pass the same `wasmPath`).
const fs = require('fs')
const path = require('path')
const { needs, fallsBack, declareFallback, WASM_FILE, WASM_OUTPUT, PLAIN_ENTRY, FALLBACK_FILE, FALLBACK_OUTPUT } = require('./targets')

const NAME = 'MpSessionWasmPlugin'

/** The webpack plugin: emits the .wasm.br as an asset of the build, in watch builds too. */
class MpSessionWasmPlugin {
  constructor(output, outputDir, fallback) {
    this.output = output
    this.outputDir = path.resolve(outputDir)
    this.fallback = fallback
  }

  apply(compiler) {
    // Watch builds also prebundle node_modules in a second compiler that inherits the
    // plugins: only the one writing the app's output carries the file.
    if (path.resolve(compiler.options.output.path) !== this.outputDir) return
    const { Compilation, sources } = compiler.webpack
    compiler.hooks.thisCompilation.tap(NAME, (compilation) => {
      compilation.hooks.processAssets.tap({ name: NAME, stage: Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        compilation.fileDependencies.add(WASM_FILE)
        compilation.emitAsset(this.output, new sources.RawSource(fs.readFileSync(WASM_FILE)))
        // Minified already, and checked against the shim's build: the build's minifier keeps off it.
        if (this.fallback) compilation.emitAsset(FALLBACK_OUTPUT, new sources.RawSource(fs.readFileSync(FALLBACK_FILE)), { minimized: true })
      })
    })
    // app.json is Taro's to write: once it is written, the fallback's subpackage is declared in it.
    if (this.fallback) {
      compiler.hooks.afterEmit.tap(NAME, () => {
        const appJson = path.join(this.outputDir, 'app.json')
        if (fs.existsSync(appJson)) fs.writeFileSync(appJson, declareFallback(fs.readFileSync(appJson, 'utf8')))
      })
    }
  }
}

module.exports = (ctx, options = {}) => {
  const platform = process.env.TARO_ENV
  const need = needs(platform)
  if (!need) return
  ctx.modifyWebpackChain(({ chain }) => {
    if (need === 'plain') chain.resolve.alias.set('mp-session$', PLAIN_ENTRY)
    else chain.plugin('mp-session-wasm').use(MpSessionWasmPlugin, [options.output || WASM_OUTPUT, ctx.paths.outputPath, fallsBack(platform)])
  })
}
