// Type declarations of mp-session/web.

import type { MpSession, SharedOptions } from '../index'

export type { MpSession, MpSessionError, Session, RequestOptions, Response, UploadOptions, UserInfo } from '../index'

/** The options of a web page's session: those of the mini-program (but `api`, `wasmPath`, `encryptStorage` and `platform`) plus the OAuth ones. */
export interface WebSessionOptions extends Omit<SharedOptions, 'api' | 'wasmPath' | 'encryptStorage' | 'platform' | 'trace'> {
  /** The backend endpoint that takes `POST { code, platform: 'web' }`. */
  loginUrl: string
  /** The official account's AppID. */
  appid: string
  /** `snsapi_base` (silent, default) or `snsapi_userinfo` (asks the user's consent). */
  scope?: 'snsapi_base' | 'snsapi_userinfo'
  /** The authorize endpoint. Default `https://open.weixin.qq.com/connect/oauth2/authorize`. */
  authorizeUrl?: string
  /** Where WeChat sends the user back (a page on an authorized domain). Default: this page, without `code` and `state`. */
  redirectUri?: string
  /** Where the `.wasm` is: a URL, a `Response` or the bytes. Default (ES module): `mp_session_web.wasm` next to the module. Required with `require()`. */
  wasm?: string | URL | Request | Response | BufferSource | WebAssembly.Module
  /** The `fetch` to use. Default: the page's. */
  fetch?: typeof fetch
}

/**
 * The session of one namespace in a web page opened in WeChat (an official account's page).
 * `launch()` without a stored session leaves the page for WeChat's authorize page; the page
 * comes back with a code, and `launch()` on that page posts it (`{ code, platform: 'web' }`).
 */
export function createSession(options: WebSessionOptions): MpSession
