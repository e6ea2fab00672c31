// @ts-check
'use strict'
// Loads the WebAssembly core once per app.
//
// In WeChat there is no `WebAssembly`: only `WXWebAssembly.instantiate(path, imports)`, which
// takes nothing but a path inside the code package and resolves to an Instance (or, in some
// versions, `{ instance }`). Elsewhere (Node, tests) the standard `WebAssembly` is used with
// the bytes read from the file next to this one.

var glue = require('mp-session-glue')
var shimError = require('./errors').shimError

/** Where the developer tool's "build npm" step puts the file. */
var DEFAULT_WASM_PATH = '/miniprogram_npm/mp-session/mp_session.wasm'
var WASM_FILE = 'mp_session.wasm'

/** @type {Promise<typeof glue> | null} */
var loading = null

/**
 * The wasm-bindgen glue, bound to a live instance. The first call decides the path; a failed
 * load is forgotten so that the next call tries again.
 *
 * @param {string | undefined} wasmPath
 * @returns {Promise<typeof glue>}
 */
function loadCore(wasmPath) {
  if (!loading) {
    loading = instantiate(wasmPath).then(
      function (instance) {
        glue.__wbg_set_wasm(instance.exports)
        var start = /** @type {any} */ (instance.exports).__wbindgen_start
        if (typeof start === 'function') start()
        return glue
      },
      function (cause) {
        loading = null
        throw shimError('WASM_LOAD', 'could not load the WebAssembly core: ' + describe(cause), true, cause)
      }
    )
  }
  return loading
}

/**
 * @param {string | undefined} wasmPath
 * @returns {Promise<WebAssembly.Instance>}
 */
function instantiate(wasmPath) {
  var imports = { './mp_session_bg.js': glue }
  try {
    if (typeof WXWebAssembly !== 'undefined') {
      return WXWebAssembly.instantiate(wasmPath || DEFAULT_WASM_PATH, imports).then(function (result) {
        return result && typeof result === 'object' && 'instance' in result ? result.instance : result
      })
    }
    if (typeof WebAssembly !== 'undefined') {
      return WebAssembly.instantiate(readWasmFile(wasmPath), imports).then(function (result) {
        return result.instance
      })
    }
    return Promise.reject(new Error('this runtime has neither WXWebAssembly nor WebAssembly'))
  } catch (cause) {
    return Promise.reject(cause)
  }
}

/**
 * Reads the module in Node: `wasmPath` as a file path if given, else the file beside this one.
 * A `.br` file is decompressed.
 *
 * @param {string | undefined} wasmPath
 */
function readWasmFile(wasmPath) {
  var isNode = typeof process !== 'undefined' && !!process.versions && !!process.versions.node
  if (!isNode || typeof require !== 'function') {
    throw new Error('no WXWebAssembly here, and no file system to read the .wasm from')
  }
  // Module names in variables: no packer or analyser of mini-program code follows them.
  var fsName = 'fs'
  var pathName = 'path'
  var zlibName = 'zlib'
  var file = wasmPath || require(pathName).join(__dirname, WASM_FILE)
  var bytes = require(fsName).readFileSync(file)
  return /\.br$/.test(file) ? require(zlibName).brotliDecompressSync(bytes) : bytes
}

/** @param {unknown} cause */
function describe(cause) {
  var text = cause && typeof cause === 'object' && 'message' in cause ? cause.message : cause
  return String(text)
}

module.exports = { loadCore: loadCore, DEFAULT_WASM_PATH: DEFAULT_WASM_PATH }
