// @ts-check
'use strict'
// Loads the WebAssembly core, once per app and again after it dies.
//
// In WeChat there is no `WebAssembly`: only `WXWebAssembly.instantiate(path, imports)`, which
// takes nothing but a path inside the code package and resolves to an Instance (or, in some
// versions, `{ instance }`). Elsewhere (Node, tests) the standard `WebAssembly` is used with
// the bytes read from the file next to this one.
//
// The module imports nothing: everything crosses through its four exports (boundary.js). An
// instance that trapped is replaced by a fresh one with a fresh boundary.

var createBoundary = require('./boundary').createBoundary
var errors = require('./errors')

/** Where the developer tool's "build npm" step puts the file (brotli: base library 2.14.0). */
var DEFAULT_WASM_PATH = '/miniprogram_npm/mp-session/mp_session.wasm.br'
var WASM_FILE = 'mp_session.wasm.br'

/**
 * @typedef {import('./session').Core & { ready: Promise<Core> }} Core
 */

/** @type {Core | null} */
var current = null

/**
 * The live core. The first call decides the path; a failed load is forgotten so that the
 * next call tries again, and so is a core that died.
 *
 * @param {string | undefined} wasmPath
 * @returns {Promise<Core>}
 */
function loadCore(wasmPath) {
  if (current && !current.dead) return current.ready
  // A core that trapped is marked dead by session.js; this one takes its place.
  /** @type {Core} */
  var core = { boundary: /** @type {any} */ (null), dead: false, ready: /** @type {any} */ (null), onDeath: [] }
  core.ready = instantiate(wasmPath).then(
    function (instance) {
      core.boundary = createBoundary(/** @type {any} */ (instance.exports))
      return core
    },
    function (cause) {
      if (current === core) current = null
      var hint = typeof WXWebAssembly === 'undefined' ? ''
        : ' (is the package built into miniprogram_npm by Tools → Build npm / 构建npm? Else pass wasmPath)'
      throw errors.shimError('WASM_LOAD', 'could not load the WebAssembly core: ' + errors.describe(cause) + hint, true, cause)
    }
  )
  current = core
  return core.ready
}

/**
 * @param {string | undefined} wasmPath
 * @returns {Promise<WebAssembly.Instance>}
 */
function instantiate(wasmPath) {
  var imports = {}
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

module.exports = { loadCore: loadCore, DEFAULT_WASM_PATH: DEFAULT_WASM_PATH }
