// The CommonJS entry of mp-session/web: say where the .wasm is with `options.wasm`.
import { createWebSession } from './session.js'

/**
 * Creates the session of one namespace in a web page.
 *
 * @param {import('./index').WebSessionOptions} options
 * @returns {import('../index').MpSession}
 */
function createSession(options) {
  return createWebSession(options, null)
}

module.exports = { createSession: createSession }
