// @ts-check

import { messageTail } from './layout.js'

/**
 * Turns the core's `{ code, message, retryable, errcode, status, detail, backendCode, session }`
 * into an `Error` with those fields, its message followed by the errcode and HTTP status when
 * known, and by what the platform said (`detail`, such as wx's `errMsg`) or the backend said
 * (`backendCode` and its message as `detail`) when there is that, as the core's `Display`
 * writes it (layout.js, `messageTail`).
 *
 * @param {{ code: import('./index').MpSessionError['code'], message: string, retryable?: boolean,
 *           errcode?: number | null, status?: number | null, detail?: string | null,
 *           backendCode?: string | null, session?: object | null }} view
 * @returns {import('./index').MpSessionError}
 */
function toError(view) {
  var detail = view.detail
  var backendCode = view.backendCode
  var message = 'mp-session: ' + view.message + messageTail(view.errcode, view.status, backendCode, detail)
  var error = /** @type {import('./index').MpSessionError} */ (new Error(message))
  error.name = 'MpSessionError'
  error.code = view.code
  error.retryable = !!view.retryable
  if (view.errcode != null) error.errcode = view.errcode
  if (view.status != null) error.status = view.status
  if (detail) error.detail = detail
  if (backendCode) error.backendCode = backendCode
  if (view.session) error.session = /** @type {import('./index').Session} */ (view.session)
  return error
}

/**
 * An error raised by the shim itself (before the core is loaded).
 *
 * @param {import('./index').MpSessionError['code']} code
 * @param {string} message
 * @param {boolean} retryable
 * @param {unknown} [cause]
 */
function shimError(code, message, retryable, cause) {
  var error = toError({ code: code, message: message, retryable: retryable })
  if (cause !== undefined) error.cause = cause
  return error
}

/**
 * What a thrown value says, for an error message.
 *
 * @param {unknown} cause
 */
function describe(cause) {
  var text = cause && typeof cause === 'object' ? ('message' in cause ? cause.message : 'errMsg' in cause ? cause.errMsg : cause) : cause
  return String(text)
}

export { toError, shimError, describe }
