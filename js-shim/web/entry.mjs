// The ES module entry of mp-session/web: the .wasm is found next to this file by default.
import { createWebSession } from './session.js'

/**
 * Creates the session of one namespace in a web page.
 *
 * @param {import('./index').WebSessionOptions} options
 * @returns {import('../index').MpSession}
 */
export function createSession(options) {
  return createWebSession(options, new URL('./mp_session_web.wasm', import.meta.url))
}
