// @ts-check
// The one live core of the app, however it is loaded (core.js, core-plain.js): made on first
// use, shared by every session, replaced after it traps (session.js marks it dead), after a
// load that failed, or when a session asks for another module (another wasmPath).

import { createBoundary } from './boundary.js'

/**
 * @typedef {import('./session').Core & { ready: Promise<Core>, key: string }} Core
 */

/** @type {Core | null} */
var current = null

/**
 * The live core of the module `key` names, made by `make` when there is none (or it died,
 * or it is another module's); `failed` turns a failure to make one into the error every
 * waiting call gets.
 *
 * @param {string} key which module (its path)
 * @param {() => Promise<{ exports: WebAssembly.Exports, fellBack?: string }>} make an instance;
 *   the JavaScript core made after the WebAssembly one failed says why (`fellBack`)
 * @param {(cause: unknown) => never} failed
 * @returns {Promise<Core>}
 */
function keep(key, make, failed) {
  if (current && !current.dead && current.key === key) return current.ready
  /** @type {Core} */
  var core = { boundary: /** @type {any} */ (null), dead: false, ready: /** @type {any} */ (null), onDeath: [], key: key }
  core.ready = make().then(
    function (instance) {
      core.boundary = createBoundary(/** @type {any} */ (instance.exports), false)
      core.fellBack = instance.fellBack
      return core
    },
    function (cause) {
      if (current === core) current = null
      return failed(cause)
    }
  )
  current = core
  return core.ready
}

export { keep }
