// @ts-check
// Generated from src/wire/layout/ (the boundary's one description): do not edit.
// `MP_SESSION_WRITE_LAYOUT=1 cargo test --lib layout` writes it again; `cargo test`
// fails while it differs from what the Rust description generates.

// What a value is, as JavaScript describes it.
export const VALUE_ABSENT = 0
export const VALUE_NULL = 1
export const VALUE_FALSE = 2
export const VALUE_TRUE = 3
export const VALUE_NUMBER = 4
export const VALUE_STRING = 5
export const VALUE_ARRAY = 6
export const VALUE_OBJECT = 7
export const VALUE_OTHER = 8
export const VALUE_FUNCTION = 9
// How a text pair names no text, or a string of the table.
export const PAIR_IN_TABLE = -1
export const PAIR_NONE = -1
// What happened: an input's kind.
export const KIND_ENSURE = 0
export const KIND_SET_USER_INFO = 1
export const KIND_LOGOUT = 2
export const KIND_REQUEST = 3
export const KIND_DEVICE_ID = 4
export const KIND_CURRENT = 5
export const KIND_SESSION_READ = 6
export const KIND_DEVICE_ID_READ = 7
export const KIND_STORAGE_RESULT = 8
export const KIND_LOGIN_RESULT = 9
export const KIND_POST_RESULT = 10
export const KIND_SEND_RESULT = 11
export const KIND_TIMEOUT = 12
export const KIND_LISTENERS = 13
export const KIND_MORE = 14
// A storage input's flag.
export const STORAGE_FLAG_OK = 0
export const STORAGE_FLAG_FAILED = 1
// A login result's flag.
export const LOGIN_FLAG_ANSWERED = 0
export const LOGIN_FLAG_FAILED = 1
// An app request's result's flag.
export const SEND_FLAG_UNANSWERED = -1
// A login request's flag when there is no HTTP status.
export const POST_FLAG_FAILED = -1
// The slots at the start of an output.
export const HEADER_USED = 0
export const HEADER_MORE = 1
export const HEADER_DEADLINE = 2
export const HEADER_TEXTS = 3
/** The deadline slot when the machine waits for no time. */
export const NO_DEADLINE = -1
// The package's version (a trace says which core it was taken with).
export const VERSION = '0.2.0'
// The field of setUserInfo's argument whose text the core reads.
export const USER_INFO_AVATAR = 'avatarUrl'
/** The header whose seconds the core reads, its name in lower case. */
export const RETRY_AFTER = 'retry-after'
// The fields of a cookie the answer sets, as the core reads them.
export const COOKIE_VALUE = 'value'
export const COOKIE_MAX_AGE = 'maxAge'
export const COOKIE_EXPIRES = 'expires'
// Each group of calls, by the name the core gives it.
export const GROUP_ONE = 'one'
export const GROUP_WAITING = 'waiting'
export const GROUP_OF = 'of'
export const GROUP_REQUESTS = 'requests'
export const GROUP_DEVICE_IDS = 'deviceIds'
/** Slots at the start of an output. */
export const HEADER = 4
/** All the slots. */
export const SLOTS = 1024
/** The longest backend answer read. */
export const MAX_ANSWER_CHARS = 65536
/** The slots of an entry of a described object or array: its key's pair, its value. */
export const ENTRY_SLOTS = 5
/** Where the entries of the described objects and arrays start. */
export const TREE_AT = 22
/** The slot where a web page's options are described. */
export const WEB_OPTIONS_AT = 3
/** The slot of the platform the shim runs on. */
export const HOST_PLATFORM_AT = 6
/** The slot of a backend answer's length in code units. */
export const ANSWER_LENGTH_AT = 3
/** The slot where the values at a request's `copy` paths are described again, three slots each. */
export const ANSWER_COPIES_AT = 4
/** The slot where setUserInfo's avatarUrl is described again, its text copied. */
export const USER_INFO_COPY_AT = 4
/** The slot where a login answer's headers are described. */
export const ANSWER_HEADER_AT = 13
/** The slot where the cookies a login answer sets are described, by name. */
export const ANSWER_COOKIES_AT = 16
/** The slot where a login answer's Retry-After header is described again, its text copied. */
export const ANSWER_RETRY_AFTER_AT = 19
/** A stored value that is a string: the slot of its length ('' is nothing stored). */
export const RECORD_STRING_LENGTH = 2
/**
 * What follows an error's own message: its errcode and HTTP status, then what the backend
 * or the platform said (core/error.rs, `Display`, in its `words`).
 * @param {number | null | undefined} errcode @param {number | null | undefined} status
 * @param {string | null | undefined} backendCode @param {string | null | undefined} detail
 */
export function messageTail(errcode, status, backendCode, detail) {
  var known = []
  if (errcode != null) known.push('errcode ' + errcode)
  if (status != null) known.push('HTTP ' + status)
  return (known.length ? ' (' + known.join(', ') + ')' : '') +
    (backendCode ? '; the backend said: ' + backendCode + (detail ? ': ' + detail : '')
      : detail ? '; the platform said: ' + detail : '')
}
/** createSession's options, as the core reads them. */
export var OPTION_FIELDS = ['loginUrl', 'cloudFunction', 'platform', 'namespace', 'leewaySeconds', 'defaultTtlSeconds', 'timeoutMs', 'maxRetries', 'failureToast', 'tokenHeader', 'allowedOrigins', 'login', 'backgroundFetchToken']
/** The options the mini-program shim reads itself (known to the core). */
export var SHIM_OPTION_FIELDS = ['isSessionExpired', 'attachToken', 'api', 'wasmPath', 'encryptStorage', 'fallback', 'trace']
// Each effect's tag.
export const EFFECT_READ_SESSION = 0
export const EFFECT_WRITE_SESSION = 1
export const EFFECT_REMOVE_SESSION = 2
export const EFFECT_READ_DEVICE_ID = 3
export const EFFECT_WRITE_DEVICE_ID = 4
export const EFFECT_LOGIN = 5
export const EFFECT_POST_CODE = 6
export const EFFECT_ABORT = 7
export const EFFECT_SEND_REQUEST = 8
export const EFFECT_RESOLVE = 9
export const EFFECT_REJECT = 10
export const EFFECT_CHANGED = 11
export const EFFECT_TOAST = 12
export const EFFECT_REDIRECT = 13
export const EFFECT_CURRENT = 14
export const EFFECT_CALL_FUNCTION = 15
export const EFFECT_TABLE = 16
export const EFFECT_CREATED = 17
export const EFFECT_HOLD = 18
export const EFFECT_WAIT = 19
export const EFFECT_SET_FETCH_TOKEN = 20
export const EFFECT_WARN = 21
/** Each input's kind, by its number. */
export var KINDS = ['ensure', 'setUserInfo', 'logout', 'request', 'deviceId', 'current', 'sessionRead', 'deviceIdRead', 'storageResult', 'loginResult', 'postResult', 'sendResult', 'timeout', 'listeners', 'more']
/** Each effect's name, by its tag. */
export var EFFECTS = ['readSession', 'writeSession', 'removeSession', 'readDeviceId', 'writeDeviceId', 'login', 'postCode', 'abort', 'sendRequest', 'resolve', 'reject', 'changed', 'toast', 'redirect', 'current', 'callFunction', 'table', 'created', 'hold', 'wait', 'setFetchToken', 'warn']
// The output's reader: each effect's parts in the order the core writes them.
/** The slots being read. @type {Float64Array<ArrayBufferLike>} */
var F = new Float64Array(0)
/** The slot read next. */
var at = 0
/** What reads the text pair at a slot. @type {(slot: number) => string | null} */
var textAt = function () { return null }
/** What the table's effect is given: the places of the strings to keep. @type {(places: number[]) => void} */
var kept = function () {}

/**
 * Reads the effects written from slot `from` to `end` into `into`, each an object with its
 * parts by name and its `tag`; the table's effect goes to `keep` at once (the texts after it
 * are read in the table it leaves).
 * @param {Float64Array} slots @param {number} from @param {number} end
 * @param {(slot: number) => string | null} readText @param {(places: number[]) => void} keep
 * @param {Array<{ tag: number, [part: string]: any }>} into
 */
export function readEffects(slots, from, end, readText, keep, into) {
  F = slots
  at = from
  textAt = readText
  kept = keep
  while (at < end) {
    var tag = F[at++]
    var read = EFFECT_READERS[tag]
    if (!read) throw new Error('mp-session: the core wrote an effect this shim does not know (' + tag + ')')
    var effect = read()
    if (effect) {
      effect.tag = tag
      into.push(effect)
    }
  }
}

function number() { return F[at++] }
function text() {
  at += 2
  return textAt(at - 2)
}
function maybe() {
  var x = F[at++]
  return x !== x ? null : x
}
/** @param {() => any} read */
function list(read) {
  var n = F[at++]
  var out = []
  for (var i = 0; i < n; i++) out.push(read())
  return out
}
/** A group of calls: the one named, those waiting for a session, of an effect, in line, for the device id. */
var GROUPS = ['one', 'waiting', 'of', 'requests', 'deviceIds']
/** Where a session came from. */
var SOURCES = ['cache', 'login']
/** A profile. */
function userInfo() {
  return { nickName: text(), avatarUrl: text() }
}
/** The backend's id of the user: a string or a number. */
function userId() {
  var c = F[at++]
  return c === 0 ? text() : F[at++]
}
/** A session, as the app is given it. */
function session() {
  var o = /** @type {Record<string, any>} */ ({ openid: text(), unionid: text(), token: text(), expiresAt: F[at++], userInfo: (F[at++] ? userInfo() : null), source: SOURCES[F[at++]] })
  if (F[at++]) o.userId = userId()
  return o
}
/** The record as it is stored. */
function record() {
  var o = /** @type {Record<string, any>} */ ({ v: F[at++], openid: text(), unionid: text(), token: text(), expiresAt: F[at++], obtainedAt: F[at++], userInfo: (F[at++] ? userInfo() : null) })
  if (F[at++]) o.userId = userId()
  return o
}
/** An error, as errors.js turns it into an Error. */
function error() {
  return { code: text(), message: text(), retryable: F[at++] === 1, errcode: maybe(), status: maybe(), detail: text(), backendCode: text(), session: (F[at++] ? session() : null) }
}
/** What resolved calls get. */
function settled() {
  var c = F[at++]
  return c === 0 ? session() : c === 1 ? text() : c === 2 ? undefined : F[at++]
}
/** A field of a JSON body. */
function field() {
  return { name: text(), value: text() }
}
/** The header that carries the token. */
function tokenHeader() {
  return { name: text(), prefix: text(), token: text() }
}
/** The reader of readSession and of the effects like it. */
function readSessionParts() {
  return { op: F[at++] }
}
/** The reader of changed and of the effects like it. */
function changedParts() {
  return { session: (F[at++] ? session() : null) }
}
/** The reader of toast and of the effects like it. */
function toastParts() {
  return { text: text() }
}
/** Each effect's reader, by its tag. @type {Array<() => any>} */
var EFFECT_READERS = [
  /* readSession */ readSessionParts,
  /* writeSession */ function () { return { op: F[at++], record: record() } },
  /* removeSession */ readSessionParts,
  /* readDeviceId */ readSessionParts,
  /* writeDeviceId */ function () { return { op: F[at++], id: text() } },
  /* login */ function () { return { op: F[at++], timeoutMs: F[at++], silent: F[at++] === 1 } },
  /* postCode */ function () { return { op: F[at++], url: text(), method: text(), contentType: text(), body: list(field), copy: list(text), timeoutMs: F[at++] } },
  /* abort */ readSessionParts,
  /* sendRequest */ function () { return { op: F[at++], again: maybe(), header: (F[at++] ? tokenHeader() : null) } },
  /* resolve */ function () { return { group: GROUPS[F[at++]], id: F[at++], value: settled() } },
  /* reject */ function () { return { group: GROUPS[F[at++]], id: F[at++], error: error() } },
  /* changed */ changedParts,
  /* toast */ toastParts,
  /* redirect */ function () { return { url: text() } },
  /* current */ changedParts,
  /* callFunction */ function () { return { op: F[at++], name: text(), data: list(field), copy: list(text), timeoutMs: F[at++] } },
  /* table */ function () { kept(list(number)) },
  /* created */ function () { return { id: F[at++], storageKey: text(), deviceIdKey: text() } },
  /* hold */ readSessionParts,
  /* wait */ function () { return { call: F[at++], group: GROUPS[F[at++]], id: F[at++] } },
  /* setFetchToken */ function () { return { token: text() } },
  /* warn */ toastParts,
]
// The boundary's layout (src/wire/layout/, `layout_id`): a trace carries it.
export const LAYOUT = 'ecdee4cd5717f44d'
