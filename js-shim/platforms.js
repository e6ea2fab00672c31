// @ts-check
// The mini-program platforms: each one's API object and WebAssembly loader, found by the
// platform's name. Alipay's API, the one not shaped as wx.*, is adapted in alipay.js.

/**
 * @typedef {'wx' | 'tt' | 'my' | 'swan' | 'qq' | 'ks'} PlatformName
 * @typedef {import('./index').WxLike} WxLike
 */

/** The platforms, in the order they are looked for: a platform's own global before `wx`,
 * which some of them also define for compatibility. */
var NAMES = /** @type {PlatformName[]} */ (['tt', 'qq', 'swan', 'ks', 'my', 'wx'])

/**
 * The platform's API object, if this runtime has it. Naming a global the runtime lacks throws
 * a ReferenceError, which says "none" here: shorter than a `typeof` for each, and this runs at
 * every launch, where the name asked for is nearly always the runtime's own.
 * @param {string} name @returns {any}
 */
function apiOf(name) {
  try {
    switch (name) {
      case 'wx': return wx
      case 'tt': return tt
      case 'my': return my
      case 'swan': return swan
      case 'qq': return qq
      case 'ks': return ks
    }
  } catch (e) {
    // Not a global here.
  }
  return undefined
}

/**
 * The platform's WebAssembly loader (`instantiate(path, imports)`), if it has one in the logic
 * layer: WeChat's `WXWebAssembly`, Douyin's `TTWebAssembly`. QQ, Baidu and Kuaishou have
 * none for mini-programs, Alipay only in a Worker.
 * @param {string} name @returns {any}
 */
function loaderOf(name) {
  try {
    return name === 'wx' ? WXWebAssembly : name === 'tt' ? TTWebAssembly : undefined
  } catch (e) {
    // Not a global here (as apiOf).
    return undefined
  }
}

/** What to do where the platform `name` has no WebAssembly. @param {string} name */
function noWebAssembly(name) {
  return name + ' has no WebAssembly in the logic layer here: use the mp-session/plain entry, the same core as JavaScript'
}

/**
 * The platform this code runs on, from its globals, in the order of `NAMES`; `wx` when there
 * is none. @returns {PlatformName}
 */
function detect() {
  return typeof tt !== 'undefined' ? 'tt' : typeof qq !== 'undefined' ? 'qq' : typeof swan !== 'undefined' ? 'swan'
    : typeof ks !== 'undefined' ? 'ks' : typeof my !== 'undefined' ? 'my' : 'wx'
}

/** @param {unknown} name @returns {name is PlatformName} */
function isName(name) {
  return typeof name === 'string' && NAMES.indexOf(/** @type {any} */ (name)) >= 0
}

export { noWebAssembly, NAMES, apiOf, loaderOf, detect, isName }
