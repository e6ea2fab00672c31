// @ts-check
// Loads the core where the logic layer has no WebAssembly (QQ, Baidu, Kuaishou, Alipay
// outside a Worker, WeChat before base library 2.13.0): the same module, turned into
// JavaScript by binaryen's wasm2js at build time (scripts/build). Each instance has its own
// memory; one that trapped (a thrown `abort`) is replaced by a fresh one, as with the wasm.

import { default as makeInstance } from 'mp-session-plain-core'
import { keep } from './keeper.js'
import * as errors from './errors.js'

/**
 * The live core (the platform and wasm path do not matter here: nothing is loaded).
 * @returns {Promise<import('./keeper').Core>}
 */
function loadCore() {
  return keep('plain', function () {
    try {
      return Promise.resolve({ exports: makeInstance({}) })
    } catch (cause) {
      return Promise.reject(cause)
    }
  }, function (cause) {
    throw errors.shimError('WASM_LOAD', 'could not start the core: ' + errors.describe(cause), true, cause)
  })
}

export { loadCore }
