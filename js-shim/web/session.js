// @ts-check
// mp-session for web pages (official accounts): the same core and the same session API as in
// the mini-program, with codes from the OAuth redirect and the session in browser storage.

import * as glue from 'mp-session-web-glue'
import { readOptions, HOOKS } from '../options.js'
import * as shared from '../session.js'
import * as errors from '../errors.js'
import { createBoundary } from '../boundary.js'
import { createWebHost } from './host.js'

/** The web-only options the core checks; the shim reads `wasm` and `fetch` itself. */
var WEB_OPTIONS = ['appid', 'scope', 'authorizeUrl', 'redirectUri']

/** @type {Promise<import('../session').Core> | null} */
var loading = null
/** @type {import('../session').Core | null} */
var loaded = null

/**
 * The core, loaded once per page with the standard `WebAssembly` (a URL, a `Response` or
 * the bytes). A trapped core cannot be replaced in place: the page must be reloaded.
 *
 * @param {unknown} wasm
 */
function loadWebCore(wasm) {
  if (loaded && loaded.dead) {
    return Promise.reject(errors.shimError('WASM_TRAP', 'the WebAssembly core stopped; reload the page', true))
  }
  if (!loading) {
    loading = Promise.resolve()
      .then(function () { return glue.default({ module_or_path: wasm }) })
      .then(function (exports) {
        loaded = { boundary: createBoundary(/** @type {any} */ (exports), true), dead: false, onDeath: [] }
        return loaded
      }, function (cause) {
        loading = null
        throw errors.shimError('WASM_LOAD', 'could not load the WebAssembly core: ' + errors.describe(cause), true, cause)
      })
  }
  return loading
}

/**
 * Creates the session of one namespace in a web page.
 *
 * @param {import('./index').WebSessionOptions} options
 * @param {unknown} defaultWasm where the `.wasm` is when `options.wasm` does not say
 * @returns {import('../index').MpSession}
 */
function createWebSession(options, defaultWasm) {
  var read = readOptions(options)
  var own = read.options
  // The core reads the web page's options apart (WEB_OPTIONS_AT), and knows none of the
  // shim's names but the mini-program's: what it reads as options is the rest.
  /** @type {Record<string, unknown>} */
  var core = Object.assign({}, own)
  WEB_OPTIONS.concat(['wasm', 'fetch'], HOOKS).forEach(function (name) { delete core[name] })
  /** @type {Record<string, unknown>} */
  var webOptions = {}
  WEB_OPTIONS.forEach(function (name) { if (own[name] !== undefined) webOptions[name] = own[name] })
  var wasm = own.wasm !== undefined ? own.wasm : defaultWasm
  if (!wasm) read.invalid('wasm must say where mp_session_web.wasm is: a URL, a Response or the bytes')
  var fetchImpl = own.fetch !== undefined ? own.fetch : typeof fetch === 'function' ? fetch.bind(globalThis) : undefined
  if (typeof fetchImpl !== 'function') read.invalid('no fetch here: pass options.fetch')
  // A web page's strings cross as text, not as handles: a trace there would hold them.
  if (own.trace) read.invalid('trace is for mini-programs: a web page\'s strings cross to the core as text')
  return shared.makeSession({
    loadCore: function () { return loadWebCore(wasm) },
    options: core,
    web: webOptions,
    name: null,
    host: createWebHost(/** @type {typeof fetch} */ (fetchImpl)),
  }, read.settings())
}

export { createWebSession }
