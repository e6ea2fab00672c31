// @ts-check
// Loads the WebAssembly core, once per app and again after it dies.
//
// Mini-program platforms have no `WebAssembly`: WeChat has `WXWebAssembly.instantiate(path,
// imports)` and Douyin `TTWebAssembly.instantiate(path, imports)`, which take nothing but a
// path inside the code package and resolve to an Instance (or, in some versions,
// `{ instance }`). Elsewhere (Node, tests) the standard `WebAssembly` is used with the bytes
// read from the file next to this one. Platforms with no WebAssembly in the logic layer use
// the same core compiled to JavaScript (`mp-session/plain`).
//
// The module imports nothing: everything crosses through its five exports (boundary.js).
//
// Where WeChat's loader is missing (HarmonyOS is undocumented) or its instantiate rejects
// (reported on iOS), the app may have set up the same core as JavaScript in a subpackage
// (`fallback`: its own `require.async` of mp-session/fallback, base library 2.11.2): that one
// runs instead, and `ready()` says why.

import { keep } from './keeper.js'
import * as errors from './errors.js'
import * as platforms from './platforms.js'

/** Where the developer tool's "build npm" step puts the file (brotli: base library 2.14.0). */
var DEFAULT_WASM_PATH = '/miniprogram_npm/mp-session/mp_session.wasm.br'
var WASM_FILE = 'mp_session.wasm.br'

/** @typedef {import('./keeper').Core} Core */

/**
 * The app's loader of mp-session/fallback (a session's `fallback`): the core is the app's,
 * one for every session, so a load already under way (the preload at require) falls back too.
 * @type {(() => unknown) | undefined}
 */
var fallbackLoader

/**
 * The live core of this platform and path: a failed load is forgotten so that the next
 * call tries again, and so is a core that died. When the WebAssembly core does not load and
 * the app gave `fallback`, the JavaScript core it loads runs instead.
 *
 * @param {string} platform the platform's name (platforms.js): it says which loader
 * @param {{ wasmPath?: string, fallback?: () => unknown }} options the session's: where the
 *   .wasm is, and the app's loader of mp-session/fallback
 * @returns {Promise<Core>}
 */
function loadCore(platform, options) {
  var wasmPath = options.wasmPath
  fallbackLoader = options.fallback || fallbackLoader
  return keep(platform + ' ' + (wasmPath || DEFAULT_WASM_PATH), function () { return instantiate(platform, wasmPath) }, function (cause) {
    throw errors.shimError('WASM_LOAD', 'could not load the WebAssembly core: ' + errors.describe(cause) + hint(platform, fallbackLoader), true, cause)
  })
}

/**
 * After the WebAssembly core did not load (`cause`), the JavaScript core the app's `fallback`
 * loads, if it gave one (`cause` is kept as the reason the core fell back): mp-session/fallback
 * of this very build (its `core` is the .wasm's digest this bundle was built with).
 * @param {unknown} cause
 * @returns {Promise<{ exports: WebAssembly.Exports, fellBack: string }>}
 */
function fallBack(cause) {
  var fallback = fallbackLoader
  if (!fallback) return Promise.reject(cause)
  var why = errors.describe(cause)
  return Promise.resolve().then(fallback).then(function (module) {
    var found = /** @type {any} */ (module)
    if (!found || typeof found.instantiate !== 'function') throw new Error('fallback loaded no mp-session/fallback')
    if (found.core !== MP_SESSION_CORE_ID) {
      throw new Error('mp-session/fallback is of another build: copy it again')
    }
    return { exports: found.instantiate({}), fellBack: why }
  }).then(null, function (failure) {
    throw new Error(why + '; nor did fallback: ' + errors.describe(failure))
  })
}

/**
 * Starts loading the core from where the developer tool's build npm and the Taro and Vite
 * plugins put it, at `require`, on a platform with a loader: the module compiles while the
 * app makes its session. A session that names another `wasmPath` or platform loads that one
 * instead; a failure here is met again, and reported, by the session's own first call.
 */
function preloadCore() {
  var platform = platforms.detect()
  if (platforms.loaderOf(platform)) loadCore(platform, {}).catch(function () {})
}

/**
 * What to do about a core that did not load, for the platform it did not load on; and, where
 * the app has no fallback, how to give phones whose WebAssembly fails one.
 * @param {string} platform @param {unknown} fallback
 */
function hint(platform, fallback) {
  var step = fallback ? '' : '; for phones without WebAssembly: the fallback option (README: When WebAssembly is not there)'
  if (platforms.loaderOf(platform)) {
    return ' (a native project: run Tools → Build npm / 构建npm; built with Taro or uni-app: add the ' +
      'mp-session/taro or mp-session/vite plugin, or copy mp_session.wasm.br into the output and pass wasmPath' + step + ')'
  }
  if (platforms.apiOf(platform) !== undefined) {
    return ' (' + platforms.noWebAssembly(platform) + (platform === 'wx' ? step : '') + ')'
  }
  return ''
}

/**
 * @param {string} platform
 * @param {string | undefined} wasmPath
 * @returns {Promise<{ exports: WebAssembly.Exports, fellBack?: string }>} the WebAssembly
 *   core, or the JavaScript one after it failed (`fallBack`)
 */
function instantiate(platform, wasmPath) {
  try {
    var loader = platforms.loaderOf(platform)
    if (loader) return loader.instantiate(wasmPath || DEFAULT_WASM_PATH, {}).then(instanceOf, fallBack)
    return instantiateHere(platform, wasmPath).then(null, fallBack)
  } catch (cause) {
    return fallBack(cause)
  }
}

/** A platform's result: an Instance, or (in some versions) `{ instance }`. @param {any} result */
function instanceOf(result) {
  return result && typeof result === 'object' && 'instance' in result ? result.instance : result
}

/**
 * Where the platform has no loader: the standard `WebAssembly` (Node, tests), on no
 * mini-program platform. @param {string} platform @param {string | undefined} wasmPath
 * @returns {Promise<WebAssembly.Instance>}
 */
function instantiateHere(platform, wasmPath) {
  if (typeof WebAssembly !== 'undefined' && platforms.apiOf(platform) === undefined) {
    return WebAssembly.instantiate(readWasmFile(wasmPath), {}).then(function (result) {
      return result.instance
    })
  }
  return Promise.reject(new Error('no WebAssembly loader on ' + platform))
}

/**
 * Reads the module in Node: `wasmPath` as a file path if given, else the file beside this one.
 * A `.br` file is decompressed.
 *
 * @param {string | undefined} wasmPath
 */
function readWasmFile(wasmPath) {
  // Node's modules through process.getBuiltinModule (Node 20.16): no `require` of a name a
  // bundler (webpack in Taro, Rollup in uni-app) would try to resolve into the app.
  var node = typeof process !== 'undefined' && process && typeof process.getBuiltinModule === 'function' ? process : null
  if (!node) throw new Error('no WebAssembly loader here, and no file system to read the .wasm from (Node 20.16 or later has one)')
  var file = wasmPath || node.getBuiltinModule('path').join(__dirname, WASM_FILE)
  var bytes = node.getBuiltinModule('fs').readFileSync(file)
  return /\.br$/.test(file) ? node.getBuiltinModule('zlib').brotliDecompressSync(bytes) : bytes
}

export { loadCore, preloadCore, DEFAULT_WASM_PATH }
