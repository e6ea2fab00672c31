// @ts-check
// `createSession` for mini-programs, given how the core is loaded (index.js: WebAssembly;
// plain.js: the same core as JavaScript). It picks the platform and its API, hands the core
// a host that speaks it, and turns the core's answers into promises (session.js).

import { createHost } from './host.js'
import * as platforms from './platforms.js'
import { readOptions } from './options.js'
import * as shared from './session.js'

/** The first base library whose wx.setStorage / getStorage take `encrypt: true`. */
var ENCRYPT_MIN_BASE_LIBRARY = '2.21.3'

/**
 * The package's exports for one way of loading the core.
 *
 * @param {(platform: string, options: Record<string, any>) => Promise<any>} loadCore
 * @param {((api: any) => any) | null} alipay Alipay's API adapter (alipay.js), where the
 *   core can run on Alipay at all
 */
function createEntry(loadCore, alipay) {
  return {
    /**
     * Creates the session of one namespace and starts loading the core. The options are
     * checked once it is loaded: a wrong one rejects every call with `INVALID_CONFIG`.
     *
     * @param {import('./index').SessionOptions} options
     * @returns {import('./index').MpSession}
     */
    createSession: function (options) { return createSession(options, loadCore, alipay) },
  }
}

/**
 * @param {import('./index').SessionOptions} options
 * @param {(platform: string, options: Record<string, any>) => Promise<any>} loadCore
 * @param {((api: any) => any) | null} alipay
 * @returns {import('./index').MpSession}
 */
function createSession(options, loadCore, alipay) {
  var read = readOptions(options)
  var o = read.options
  // Which platform's API and loader to use, before the core is there: the one named, else
  // the one whose globals this runtime has. The core decides the platform the login names
  // (the option, else the one found here) and checks the name and every other option.
  var found = platforms.detect()
  var platform = platforms.isName(o.platform) ? o.platform : found
  var api = o.api !== undefined ? o.api : platforms.apiOf(platform)
  // What an app rarely gives is checked apart: only the checks of what it gave run.
  if (platform === 'my') api = onAlipay(api, alipay, read)
  if (o.wasmPath !== undefined || o.fallback !== undefined) checkLoading(o, read)
  if (!isWxLike(api)) noApi(platform, read)
  else if (o.cloudFunction !== undefined || o.encryptStorage !== undefined) checkWx(api, o.encryptStorage, read)
  return shared.makeSession({
    loadCore: function () { return loadCore(platform, o) },
    options: read.options,
    web: null,
    name: found,
    host: createHost(/** @type {import('./index').WxLike} */ (api), o.encryptStorage === true),
  }, read.settings())
}

/** @typedef {ReturnType<typeof readOptions>} Read */

/** Alipay's API in wx.*'s shape, where the core runs there at all. @param {any} api @param {((api: any) => any) | null} alipay @param {Read} read */
function onAlipay(api, alipay, read) {
  if (alipay) return alipay(api)
  read.invalid(platforms.noWebAssembly('Alipay (my)'))
  return api
}

/** Where the core comes from, when the app says: `wasmPath`, `fallback`. @param {Record<string, any>} o @param {Read} read */
function checkLoading(o, read) {
  if (o.wasmPath !== undefined && (typeof o.wasmPath !== 'string' || !/\.wasm(\.br)?$/.test(o.wasmPath))) {
    read.invalid('wasmPath must be the path of a .wasm or .wasm.br file')
  }
  if (o.fallback !== undefined && typeof o.fallback !== 'function') {
    read.invalid('fallback must be a function')
  }
}

/** @param {string} platform @param {Read} read */
function noApi(platform, read) {
  read.invalid('no ' + platform + ' API here: pass options.api (an object with login, request, showToast and the *StorageSync calls)')
}

/**
 * What cloudFunction and encryptStorage need of the API: wx.cloud, and a base library that
 * encrypts. @param {any} api @param {unknown} encryptStorage @param {Read} read
 */
function checkWx(api, encryptStorage, read) {
  if (read.options.cloudFunction !== undefined && !hasCloud(api)) {
    read.invalid('cloudFunction needs wx.cloud (base library 2.2.3 or later, and wx.cloud.init({ env }) in app.js)')
  }
  if (encryptStorage !== undefined && typeof encryptStorage !== 'boolean') {
    read.invalid('encryptStorage must be true or false')
  } else if (encryptStorage) {
    var version = baseLibraryVersion(api)
    if (!version || compareVersions(version, ENCRYPT_MIN_BASE_LIBRARY) < 0) {
      read.invalid('encryptStorage needs base library ' + ENCRYPT_MIN_BASE_LIBRARY + ' or later (this one is ' +
        (version || 'unknown') + '); create the session without it on older phones')
    }
  }
}

/** The base library version (`SDKVersion`), or '' when the API does not say. */
/** @param {any} api */
function baseLibraryVersion(api) {
  try {
    var info = typeof api.getAppBaseInfo === 'function' ? api.getAppBaseInfo()
      : typeof api.getSystemInfoSync === 'function' ? api.getSystemInfoSync() : null
    return info && typeof info.SDKVersion === 'string' ? info.SDKVersion : ''
  } catch (e) {
    return ''
  }
}

/** @param {string} a @param {string} b */
function compareVersions(a, b) {
  var pa = a.split('.')
  var pb = b.split('.')
  for (var i = 0; i < Math.max(pa.length, pb.length); i++) {
    var d = (parseInt(pa[i], 10) || 0) - (parseInt(pb[i], 10) || 0)
    if (d) return d
  }
  return 0
}

/** @param {any} api */
function hasCloud(api) {
  return !!api.cloud && typeof api.cloud.callFunction === 'function'
}

/** @param {any} api */
function isWxLike(api) {
  return !!api && ['login', 'request', 'getStorageSync', 'setStorageSync', 'removeStorageSync', 'showToast']
    .every(function (name) { return typeof api[name] === 'function' })
}

export { createEntry }
