'use strict'
// WXWebAssembly as WeChat has it, with the phone's restrictions:
// - `instantiate(path, imports)` takes only an absolute path to a .wasm in the code package
//   (.wasm.br from base library 2.14.0); bytes, ArrayBuffer, http: and wxfile: are rejected;
// - on iOS, a module that exports a Global, or uses any post-MVP feature, does not load
//   (checked with wasm-opt --mvp-features, the same validator the build uses);
// - it resolves to an Instance (the documented type); `resultShape: 'object'` gives
//   `{ instance, module }` instead, as some versions do.
// `traps.next = 'mps_input'` makes the next call of that export throw the RuntimeError a
// trapped instance throws (`unreachable`), to test recovery; the call does not reach wasm.
// `rejects` makes every instantiate fail, as a phone whose loader fails does.
// `stats.crossings` counts every call into the module's exports (`in`) and out of it into its
// imports (`out`).
const fs = require('fs')
const os = require('os')
const path = require('path')
const zlib = require('zlib')
const crypto = require('crypto')
const { execFileSync } = require('child_process')

const WASM_OPT = path.join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'wasm-opt')
const mvpVerdicts = new Map()

function compareVersions(a, b) {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] || 0) - (pb[i] || 0)
    if (d) return d
  }
  return 0
}

/**
 * Whether `bytes` validate with every post-MVP feature disabled (cached per content, in this
 * process). The file wasm-opt reads is in a folder of its own: another run on the same
 * machine checking the same bytes must not remove it under this one.
 */
function isMvpOnly(bytes) {
  const hash = crypto.createHash('sha256').update(bytes).digest('hex')
  if (!mvpVerdicts.has(hash)) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-mvp-'))
    const file = path.join(dir, 'module.wasm')
    fs.writeFileSync(file, bytes)
    let ok = true
    try {
      execFileSync(WASM_OPT, [file, '--mvp-features', '-o', os.devNull], { stdio: 'pipe' })
    } catch (e) {
      ok = false
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
    mvpVerdicts.set(hash, ok)
  }
  return mvpVerdicts.get(hash)
}

/** The instance as the app sees it, with every exported function able to trap on demand. */
function trappable(instance, traps, crossings) {
  const exports = {}
  for (const [name, value] of Object.entries(instance.exports)) {
    exports[name] = typeof value !== 'function' ? value : function (...args) {
      crossings.in++
      if (traps.next === name) {
        traps.next = null
        traps.fired++
        throw new WebAssembly.RuntimeError('unreachable')
      }
      return value.apply(this, args)
    }
  }
  return { exports: Object.freeze(exports) }
}

/** The imports, each function counting its calls: every call out of wasm into JavaScript. */
function counted(imports, crossings) {
  const wrapped = {}
  for (const [module, members] of Object.entries(imports || {})) {
    wrapped[module] = {}
    for (const [name, value] of Object.entries(members)) {
      wrapped[module][name] = typeof value !== 'function' ? value : function (...args) {
        crossings.out++
        return value.apply(this, args)
      }
    }
  }
  return wrapped
}

function createWxWebAssembly({ root, platform, baseLibrary, resultShape, rejects, stats, traps }) {
  return {
    instantiate(wasmPath, imports) {
      stats.instantiations++
      return new Promise((resolve, reject) => {
        const fail = (message) => reject(new Error('WXWebAssembly.instantiate: ' + message))
        if (rejects) return fail('CompileError: WebAssembly.Module doesn\'t parse at byte 0 (a phone whose loader fails)')
        if (typeof wasmPath !== 'string') return fail('the first argument must be a path string')
        if (/^[a-z]+:/i.test(wasmPath)) return fail('only code package paths are supported, not ' + wasmPath)
        if (!wasmPath.startsWith('/')) return fail('the path must be absolute in the code package: ' + wasmPath)
        const brotli = wasmPath.endsWith('.wasm.br')
        if (!brotli && !wasmPath.endsWith('.wasm')) return fail('the file must be .wasm or .wasm.br')
        if (brotli && compareVersions(baseLibrary, '2.14.0') < 0) return fail('.wasm.br needs base library 2.14.0')
        const file = path.join(root, wasmPath)
        if (!fs.existsSync(file)) return fail('no such file in the code package: ' + wasmPath)
        let bytes = fs.readFileSync(file)
        if (brotli) bytes = zlib.brotliDecompressSync(bytes)
        let module
        try {
          module = new WebAssembly.Module(bytes)
        } catch (e) {
          return fail('CompileError: ' + e.message)
        }
        if (platform === 'ios') {
          const globals = WebAssembly.Module.exports(module).filter((e) => e.kind === 'global')
          if (globals.length) return fail('CompileError: invalid wasm file (iOS cannot export a Global: ' + globals.map((g) => g.name).join(', ') + ')')
          if (!isMvpOnly(bytes)) return fail('CompileError: invalid wasm file (post-MVP features are not supported on iOS)')
        }
        WebAssembly.instantiate(module, counted(imports, stats.crossings)).then(
          (real) => {
            stats.memories.push(real.exports.memory)
            const instance = trappable(real, traps, stats.crossings)
            resolve(resultShape === 'object' ? { instance, module } : instance)
          },
          (e) => fail(e.message)
        )
      })
    },
  }
}

module.exports = { createWxWebAssembly, compareVersions, isMvpOnly }
