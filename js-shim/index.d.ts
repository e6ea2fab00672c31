// Type declarations of mp-session.

/** The profile kept with the session. */
export interface UserInfo {
  nickName: string | null
  avatarUrl: string | null
}

/**
 * Who the user is, for a backend that answers with an openid (mp-session's own contract, as
 * mp-session-server and a cloud function answer it). `openid` is typed `string` for it; a
 * backend that may answer only its own `userId` is `null` there at run time: describe it with
 * `login`, whose sessions are `DescribedSession` (`openid: string | null`). `session_key` is
 * never part of it.
 */
export interface Session {
  /** The user's openid in this mini-program. */
  openid: string
  /** The backend's own id of the user, as its answer gives it (`login.answer.userId`, default `userId`); left out when it gives none. */
  userId?: string | number
  /** The user's unionid, when the mini-program is bound to an Open Platform account. */
  unionid: string | null
  /** The backend's own login token, if it issued one. */
  token: string | null
  /** When the session expires, in Unix milliseconds. */
  expiresAt: number
  /** The profile set with `setUserInfo` or returned by the backend. */
  userInfo: UserInfo | null
  /** `'cache'`: read from storage, no login. `'login'`: obtained by a login in this run. */
  source: 'cache' | 'login'
}

/** Who the user is, from a backend described by the `login` option: an openid, a `userId`, or both. */
export interface DescribedSession extends Omit<Session, 'openid'> {
  /** The user's openid, or `null` when the backend keeps it to itself and gives its own `userId`. */
  openid: string | null
}

/** How your backend's login endpoint is asked, and where each fact sits in its answer. */
export interface LoginOptions {
  /** `'POST'` (default) or `'GET'` (the code and `fields` in the query). */
  method?: 'POST' | 'GET'
  /** A POST's body: `'json'` (default) or `'form'` (`application/x-www-form-urlencoded`). */
  body?: 'json' | 'form'
  /** The field the code is sent in. Default `'code'` (Douyin's `anonymousCode` keeps its name). */
  codeField?: string
  /** The field the platform (`wx`, `tt`, …) is sent in. Default: not sent. */
  platformField?: string
  /** Fields sent with the code, as they are (up to 16). */
  fields?: Record<string, string>
  /** Where each fact sits in the answer: a field name or a dotted path (`'data.token'`). */
  answer?: LoginAnswerPaths
}

/** Where each fact sits in your backend's answer; a fact not named is where mp-session's own answer has it. */
export interface LoginAnswerPaths {
  openid?: string
  unionid?: string
  /** The backend's own id of the user, a string or a whole number. Default `'userId'`. */
  userId?: string
  /**
   * The token: a path in the body, or the header (`{ header: 'X-Auth-Token' }`, in any case)
   * or the cookie of the answer's `Set-Cookie` (`{ cookie: 'JSESSIONID' }`) it comes in.
   * `request()` sends it back there (`Cookie: JSESSIONID=…`) unless `tokenHeader` says;
   * a cookie's `Max-Age` or `Expires` is the lifetime where the body gives none. Once named
   * here, an answer without it is `BAD_RESPONSE`.
   */
  token?: string | { header: string } | { cookie: string }
  /** The time to live in seconds. Default `'expires_in'`, then `'expiresIn'`. */
  expiresIn?: string
  /** When the session expires: Unix seconds, or milliseconds from 10^11 up (read when there is no time to live). */
  expiresAt?: string
  userInfo?: string
  /** code2Session's errcode passed through. Default `'errcode'`. */
  errcode?: string
  /** An envelope's status: the login succeeds only when it is one of `success`. */
  status?: string
  /** The status values that mean success. Default `[0]`. */
  success?: Array<number | string | boolean>
  /** An envelope's message: the error's `detail` when the status is no success. */
  message?: string
}

/** What `session.request` takes: the options of `wx.request`, without callbacks. */
export interface RequestOptions {
  url: string
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS' | string
  data?: unknown
  header?: Record<string, string>
  timeout?: number
  dataType?: string
  responseType?: 'text' | 'arraybuffer'
}

/** What `session.upload` takes: the options of `wx.uploadFile`, without callbacks. */
export interface UploadOptions {
  url: string
  /** The file on the phone (what `chooseAvatar` or `wx.chooseMedia` gives). */
  filePath: string
  /** The name of the file's part in the multipart form. */
  name: string
  formData?: Record<string, string>
  header?: Record<string, string>
  timeout?: number
}

/** What `recorder()` of `mp-session/trace` makes: pass it as the `trace` option. */
export interface Recorder {
  /** For the shim: what wraps the core's exports just before the session is created. */
  wrap(exports: unknown, exchange: unknown): unknown
  /** For the shim: what `session.trace()` returns. */
  read(options: Record<string, unknown>): Trace
}

/**
 * What `session.trace()` returns: enough for `mp_session::testing::trace` (Rust) to replay
 * every decision the core made, and no string the core only passes on.
 */
export interface Trace {
  /** The package's version. */
  version: string
  /** The boundary's layout (a replay needs a core that reads the slots the same way). */
  layout: string
  /** The options given to `createSession` (not `api` or `trace`; functions left out). */
  options: Record<string, unknown>
  /** Exchanges dropped off the front once the recorder was full (a trace that lost any does not replay). */
  dropped: number
  entries: TraceEntry[]
}

/** One exchange with the core, as `trace()` keeps it: the input as it crossed, the output answered. */
export interface TraceEntry {
  /** The phone's clock, Unix milliseconds (0 for the creation). */
  t: number
  /** The creation: the 4 random words the session was made with. */
  create?: number[]
  /** An input: what happened, the call or effect it answers, a number `kind` gives a meaning, the size of the table of strings. */
  kind?: number
  arg?: number
  flag?: number
  strings?: number
  /**
   * The input's slots and texts as written (a string the core only passes on is a handle; a
   * request URL's user name, password, query and fragment are blanked). A number that is not
   * finite is its name: `'NaN'`, `'Infinity'`, `'-Infinity'`.
   */
  slots: Array<number | string>
  texts: string
  /** The output's slots (its texts' address as 0), and the code units its text pairs name. */
  out: Array<number | string>
  outTexts: string
  /** What the core threw, where it trapped (a bug of the core's: a replay shows whether it still does). */
  trapped?: string
}

/** What `session.request` resolves with, for every HTTP status the backend answers with. */
export interface Response {
  statusCode: number
  data: unknown
  header: Record<string, string>
}

/** The part of `wx` (or `tt`, `qq`, ...) that mp-session uses. */
export interface WxLike {
  login(options: {
    timeout?: number
    success?: (result: { code?: string; errMsg?: string }) => void
    fail?: (result: { errMsg?: string; errno?: number }) => void
  }): void
  request(options: {
    url: string
    method?: string
    data?: unknown
    header?: Record<string, string>
    dataType?: string
    responseType?: string
    timeout?: number
    success?: (result: { statusCode: number; data: unknown; header?: Record<string, string>; cookies?: string[] }) => void
    fail?: (result: { errMsg?: string; errno?: number }) => void
  }): { abort?: () => void } | void
  /** Only with `session.upload`. */
  uploadFile?(options: {
    url: string
    filePath: string
    name: string
    header?: Record<string, string>
    formData?: Record<string, string>
    timeout?: number
    success?: (result: { statusCode: number; data: string }) => void
    fail?: (result: { errMsg?: string }) => void
  }): { abort?: () => void } | void
  /** Only with `backgroundFetchToken`. */
  setBackgroundFetchToken?(options: { token: string }): void
  getStorageSync(key: string): unknown
  /** Only with `encryptStorage`. */
  getStorage?(options: { key: string; encrypt?: boolean; success?: (r: { data: unknown }) => void; fail?: (e: unknown) => void }): void
  /** Only with `encryptStorage`. */
  setStorage?(options: { key: string; data: unknown; encrypt?: boolean; success?: () => void; fail?: (e: unknown) => void }): void
  /** Only with `encryptStorage`. */
  removeStorage?(options: { key: string; success?: () => void; fail?: (e: unknown) => void }): void
  getAppBaseInfo?(): { SDKVersion: string }
  getSystemInfoSync?(): { SDKVersion: string }
  setStorageSync(key: string, data: unknown): void
  removeStorageSync(key: string): void
  showToast(options: { title: string; icon?: string }): void
}

/** Where the login happens: your backend's `loginUrl`, or a WeChat `cloudFunction`. */
export type SessionOptions = SharedOptions & (
  | {
      /** The backend endpoint that takes `POST { code, platform }` (Douyin: `{ anonymousCode, platform: 'tt' }` for a user not logged in to Douyin). https, except `http://127.0.0.1` or `http://localhost` for development. */
      loginUrl: string
      cloudFunction?: undefined
    }
  | {
      /** Instead of `loginUrl`: the WeChat cloud function that answers `{ openid, unionid?, token?, expires_in?, userInfo? }` (called with `data: { platform }`; no `wx.login` code is made). Needs `wx.cloud.init({ env })` in app.js. */
      cloudFunction: string
      loginUrl?: undefined
      /** A cloud function answers in mp-session's own shape: `login` describes a `loginUrl` endpoint. */
      login?: undefined
    }
)

/** The options every session takes. */
export interface SharedOptions {
  /** The platform: `'wx'`, `'tt'` (Douyin), `'my'` (Alipay), `'swan'` (Baidu), `'qq'` or `'ks'` (Kuaishou). Default: the one whose global (`tt`, `qq`, `swan`, `ks`, `my`, `wx`) this runtime has. Said to the backend as `platform`. */
  platform?: 'wx' | 'tt' | 'my' | 'swan' | 'qq' | 'ks'

  /** Keeps sessions of different backends apart; the storage key is `mp-session:<namespace>`. Default `'default'`. */
  namespace?: string
  /** Refresh a session this many seconds before it expires. Default 300. */
  leewaySeconds?: number
  /** Session lifetime when the backend's answer has no `expires_in`. Default 7200. */
  defaultTtlSeconds?: number
  /** Time allowed for `wx.login` and for the login request, each (100 to 60000). Default 10000. */
  timeoutMs?: number
  /** Retries after a retryable failure of the login (`wx.login` failing, a network failure, a timeout, 5xx, errcode -1 or 45011; 0 to 10). Default 2. */
  maxRetries?: number
  /** `false` (default), or a text shown with `wx.showToast` when a login finally fails. */
  failureToast?: false | string
  /** The header `request()` puts the token in. Default: where `login.answer.token` says it came (the same header; `Cookie` as `NAME=<token>`), else `Authorization` (as `Bearer <token>`); any other header gets the bare token. */
  tokenHeader?: string
  /** Places the token yourself: gets the request options and the token, returns the options to send. */
  attachToken?: (options: RequestOptions, token: string) => RequestOptions
  /** The origins `request()` may send the token to (`https://host[:port]`). Default: the origin of `loginUrl`. */
  allowedOrigins?: string[]
  /** Hands the token to `wx.setBackgroundFetchToken` after each login, so that WeChat's data pre-fetch and periodic updates (数据预拉取 / 周期性更新) carry it, never a login code. A token over 1024 bytes is not cut: the console says so. Default `false`. */
  backgroundFetchToken?: boolean
  /** Your backend's own login endpoint, described (with `loginUrl`). Without it: `POST {code, platform}` as JSON, answered `{ openid, unionid?, userId?, token?, expires_in?, userInfo?, errcode? }`. */
  login?: LoginOptions
  /**
   * A flight recorder, `recorder()` of `mp-session/trace`: it keeps this session's last
   * exchanges with the core for `session.trace()`, redacted as it is made (a string the core
   * only passes on, a code, a token, an id, a nickname, is kept as its place and length; a
   * request URL's query is blanked). Without it nothing is kept and none of its code ships.
   */
  trace?: Recorder
  /** Whether an answer means "session rejected" (then one shared re-login and one retry). Default: `statusCode === 401`. */
  isSessionExpired?: (response: Response) => boolean
  /** Keeps the session encrypted at rest (`wx.setStorage` with `encrypt: true`; base library 2.21.3 or later, else INVALID_CONFIG). */
  encryptStorage?: boolean
  /** Path of the `.wasm.br` (or `.wasm`) in the code package. Default `/miniprogram_npm/mp-session/mp_session.wasm.br`. */
  wasmPath?: string
  /**
   * Loads the same core as JavaScript from a subpackage, for phones whose WebAssembly is
   * missing or fails: `() => require.async('./mp-session-fallback/index.js')` (base library
   * 2.11.2), with `node_modules/mp-session/fallback/index.js` copied there and the folder
   * declared under `subPackages` in app.json. Not given: such a phone gets `WASM_LOAD`.
   */
  fallback?: () => Promise<unknown>
  /** The mini-program API to use. Default: the platform's global (`wx`, `tt`, `my`, ...). */
  api?: WxLike
}

/** Every error mp-session raises. */
export interface MpSessionError extends Error {
  name: 'MpSessionError'
  /** Stable: switch on it, never on the message. */
  code:
    | 'INVALID_CONFIG'
    | 'INVALID_ARGUMENT'
    | 'LOGIN_FAILED'
    | 'NETWORK'
    | 'TIMEOUT'
    | 'BACKEND'
    | 'BAD_RESPONSE'
    | 'STORAGE'
    | 'LOGGED_OUT'
    | 'SESSION_REJECTED'
    | 'STATE_MISMATCH'
    | 'WASM_LOAD'
    | 'WASM_TRAP'
    | 'CLOSED'
  /** Whether the same call may succeed if made again later. */
  retryable: boolean
  /** The code2Session errcode the backend passed through, if any. */
  errcode?: number
  /** The HTTP status of the backend's answer, if one arrived. */
  status?: number
  /** What the platform said (`wx.login`'s or the login request's `errMsg`, a storage
   *  exception's message), or the backend's message beside `backendCode`, if either said
   *  anything; also at the end of `message`. */
  detail?: string
  /** The code of a failure of the backend's own, from its answer's
   *  `{ "error": { "code", "message" } }` (mp-session-server: `BAD_REQUEST`,
   *  `UNKNOWN_PLATFORM`, `STORE`, …); `code` stays `BACKEND`. */
  backendCode?: string
  /** For `STORAGE` after a login: the session, usable in memory for this launch. */
  session?: Session | DescribedSession
  cause?: unknown
}

/** A session object; `S` is `DescribedSession` when it was created with the `login` option. */
export interface MpSession<S = Session> {
  /** Resolves once the core is loaded and the options are checked (rejects with their error). Optional: every call waits for it. `fellBack` says why the JavaScript core from `fallback` runs (the WebAssembly core's load error), `null` when it does not: log it to learn how many phones need it. */
  ready(): Promise<{ fellBack: string | null }>
  /** Ends this session object: frees its part of the core, stops its timers and requests, rejects its calls under way with `CLOSED`. Storage is untouched. */
  close(): void
  /** Same as `ensure()`; named for `App.onLaunch`. */
  launch(): Promise<S>
  /** A usable session: from the cache, or from one login shared by every concurrent call. */
  ensure(): Promise<S>
  /** The session usable now, or `null` (also while the core is still loading). */
  current(): S | null
  /** Merges `nickName` / `avatarUrl` into the session and saves it; waits for a session first. An `avatarUrl` that is a file on the phone (`wxfile://`, `http://tmp/`: what `chooseAvatar` gives) is `INVALID_ARGUMENT`: `upload` it first. */
  setUserInfo(info: { nickName?: string; avatarUrl?: string }): Promise<S>
  /** Removes the stored session (not the device id); a login under way is dropped. */
  logout(): Promise<void>
  /**
   * `wx.request` with the session's token: waits for a session, adds the token, and on a
   * rejected session (401) runs one re-login shared by every request that hit it and retries
   * once. Resolves for every HTTP status; rejects with `SESSION_REJECTED` if the fresh session
   * is rejected too, `NETWORK` if no answer came, `INVALID_ARGUMENT` for a URL outside
   * `allowedOrigins`.
   */
  request(options: RequestOptions): Promise<Response>
  /**
   * `wx.uploadFile` with the session's token, under the same rules as `request()`: the
   * allowed origins, one shared re-login on a rejected session and one retry. `data` is the
   * text the server answered. Upload what `chooseAvatar` gives, then `setUserInfo` with the
   * URL your server returns. `INVALID_ARGUMENT` on a platform with no `uploadFile` (web pages).
   */
  upload(options: UploadOptions): Promise<Response>
  /** With the `trace` option: the exchanges kept, JSON-ready, with the package's version and the options given (not `api`); without it, `null`. */
  trace(): Trace | null
  /** A random UUID created once per device and kept, available without login. */
  deviceId(): Promise<string>
  /** Calls `listener` whenever `current()` changes; returns the function that unsubscribes. */
  onChange(listener: (session: S | null) => void): () => void
}

/** A session by mp-session's own contract. */
export function createSession(options: SessionOptions & { login?: undefined }): MpSession
/** A session from your backend's own login endpoint, described by `login`. */
export function createSession(options: SessionOptions & { login: LoginOptions }): MpSession<DescribedSession>
