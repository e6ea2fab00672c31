// @ts-check
// The JavaScript half of the core's boundary (the other half: src/wire/, whose layout.rs holds
// the same numbers). JavaScript parses, the core judges: a stored record or the backend's
// answer is read with the engine's own JSON.parse, and the core is given its facts (each
// field's kind, number, string length) in the exchange's slots. A string the core only
// passes on stays here, in the session's table, and crosses as its place there (a handle);
// the strings the core reads itself (options, a request's URL, errMsg) cross as UTF-16 code
// units. The core answers in the same slots: effects as numbers, strings by handle or as
// code units. Five exported functions, numbers only; no TextEncoder, which phones lack.

/** Slots at the start of an output: slots used, more waiting, deadline, texts' address. */
var HEADER = 4
/** Longest backend answer parsed (MAX_ANSWER_CHARS): the core refuses a longer one by its length. */
var MAX_ANSWER_CHARS = 65536
/** Code units read per fromCharCode.apply (engines limit the arguments of one call). */
var CHUNK = 4096
/** What a value is (layout.rs, `value`). */
var ABSENT = 0, NULL = 1, FALSE = 2, TRUE = 3, NUMBER = 4, STRING = 5, ARRAY = 6, OBJECT = 7, OTHER = 8
/** What happened (layout.rs, `kind`). */
var IN = {
  ensure: 0, setUserInfo: 1, logout: 2, request: 3, deviceId: 4, current: 5, sessionRead: 6,
  deviceIdRead: 7, storageResult: 8, loginResult: 9, postResult: 10, sendResult: 11, timeout: 12,
  listeners: 13, more: 14,
}
var ANSWER = ['openid', 'unionid', 'token', 'expires_in', 'expiresIn', 'errcode', 'userInfo']
var USER_INFO = ['nickName', 'avatarUrl']
var OPTIONS = ['loginUrl', 'cloudFunction', 'platform', 'namespace', 'leewaySeconds', 'defaultTtlSeconds',
  'timeoutMs', 'maxRetries', 'failureToast', 'tokenHeader', 'allowedOrigins']
var WEB_OPTIONS = ['appid', 'scope', 'authorizeUrl', 'redirectUri']
/** allowedOrigins entries described: one more than allowed, so that too many is seen. */
var MAX_ORIGINS = 17
var WEB_OPTIONS_AT = 1 + 3 * OPTIONS.length + 2 + 2 * MAX_ORIGINS
var NON_ASCII = /[^\x00-\x7f]/

/**
 * @typedef {{
 *   memory: WebAssembly.Memory,
 *   mps_slots(): number,
 *   mps_texts(units: number): number,
 *   mps_create(e0: number, e1: number, e2: number, e3: number): void,
 *   mps_input(id: number, kind: number, arg: number, flag: number, now: number, strings: number): void,
 *   mps_close(id: number): void,
 * }} CoreExports
 * @typedef {{ strings: string[], bytes: number[] }} Table
 * @typedef {{ t: number | null, e: any[][] }} Output
 * @typedef {{ key: string, deviceKey: string, header: string, scheme: string, platform: string }} Created what the
 *   core made of the options that effects are carried out with (the platform the login request names)
 */

/**
 * @param {CoreExports} exports
 * @param {boolean} copyStrings a web page's build: strings cross as code units, not handles
 */
function createBoundary(exports, copyStrings) {
  var slotsAddress = exports.mps_slots()
  var textsAddress = exports.mps_texts(256)
  /** Code units the texts area holds (what the core reads an input's texts from). */
  var capacity = 256
  /** @type {Float64Array} */
  var F = new Float64Array(exports.memory.buffer, slotsAddress, 256)
  /** The texts area, to the end of the memory (an output's texts may go past `capacity`). @type {Uint16Array} */
  var U = new Uint16Array(0)
  /** Code units of the input written so far. */
  var used = 0
  /** @type {Record<number, Table>} */
  var tables = {}
  /** @type {Table} */
  var table = newTable()

  /** Views again after the memory grew or the texts area moved. */
  function views() {
    var buffer = exports.memory.buffer
    if (F.buffer !== buffer) F = new Float64Array(buffer, slotsAddress, 256)
    if (U.buffer !== buffer || U.byteOffset !== textsAddress) {
      U = new Uint16Array(buffer, textsAddress, (buffer.byteLength - textsAddress) >> 1)
    }
  }
  views()

  /** The pair of a text copied into the texts area, at slot `at`. @param {number} at @param {string} text */
  function inline(at, text) {
    var length = text.length
    if (used + length > capacity) {
      textsAddress = exports.mps_texts(used + length)
      capacity = Math.max(capacity, Math.min(used + length, 65536))
      views()
    }
    if (used + length > capacity) {
      // Longer than the core reads: it knows it by the length alone.
      F[at] = -1
      F[at + 1] = length
      return
    }
    for (var i = 0; i < length; i++) U[used + i] = text.charCodeAt(i)
    F[at] = used
    F[at + 1] = length
    used += length
  }

  /** The pair of a string the core passes on: its handle and UTF-8 length. @param {number} at @param {string} text */
  function pass(at, text) {
    if (copyStrings) return inline(at, text)
    // A search: the table holds a few strings (the core compacts it when it has grown).
    var h = table.strings.indexOf(text)
    if (h < 0) {
      h = table.strings.length
      table.strings.push(text)
      // Up to 42 code units, the length in units will do: every limit the core holds texts
      // to is over three times that (its Handle's doc says so).
      table.bytes.push(text.length > 42 && NON_ASCII.test(text) ? utf8Length(text) : text.length)
    }
    F[at] = h
    F[at + 1] = table.bytes[h]
  }

  /**
   * Describes `value` at slot `at`: its kind, then its number, its string's pair, or an
   * array's length and whether every entry is a string.
   * @param {number} at @param {unknown} value @param {boolean} passed a string the core passes on
   */
  function put(at, value, passed) {
    var type = typeof value
    if (value === undefined || type === 'function' || type === 'symbol') F[at] = ABSENT
    else if (value === null) F[at] = NULL
    else if (value === false) F[at] = FALSE
    else if (value === true) F[at] = TRUE
    else if (type === 'number') {
      F[at] = NUMBER
      F[at + 1] = /** @type {number} */ (value)
    } else if (type === 'string') {
      F[at] = STRING
      if (passed) pass(at + 1, /** @type {string} */ (value))
      else inline(at + 1, /** @type {string} */ (value))
    } else if (type !== 'object') F[at] = OTHER
    else if (Array.isArray(value)) {
      F[at] = ARRAY
      F[at + 1] = value.length
      F[at + 2] = value.every(function (entry) { return typeof entry === 'string' }) ? 1 : 0
    } else F[at] = OBJECT
  }

  /**
   * Describes an object with the fields `names` (and, when the last is `userInfo`, its two
   * fields after them) at slot `at`; returns the slot after them.
   * @param {number} at @param {any} value @param {string[]} names @param {boolean} passed
   */
  function describe(at, value, names, passed) {
    put(at, value, passed)
    var nested = names[names.length - 1] === 'userInfo'
    var end = at + 1 + 3 * names.length
    if (F[at] === OBJECT) {
      for (var i = 0; i < names.length; i++) put(at + 1 + 3 * i, value[names[i]], passed)
      if (nested && F[end - 3] === OBJECT) {
        put(end, value.userInfo.nickName, passed)
        put(end + 3, value.userInfo.avatarUrl, passed)
      }
    }
    return nested ? end + 6 : end
  }

  /** The pair of the first own key of `value` that is none of `names` (no pair: none). @param {number} at @param {any} value @param {string[]} names */
  function unknownKey(at, value, names) {
    F[at] = -1
    if (!value || typeof value !== 'object') return
    var keys = Object.keys(value)
    for (var i = 0; i < keys.length; i++) {
      var v = value[keys[i]]
      // JSON.stringify leaves these out: as if the key were not there.
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue
      if (names.indexOf(keys[i]) < 0) return inline(at, keys[i])
    }
  }

  /** Describes the facts of input `kind` with `value`. @param {number} kind @param {number} flag @param {any} value */
  function facts(kind, flag, value) {
    used = 0
    switch (kind) {
      case IN.sessionRead:
        return record(value)
      case IN.postResult:
        if (flag < 0) return said(value)
        return answer(value)
      case IN.setUserInfo:
        unknownKey(describe(0, value, USER_INFO, true), value, USER_INFO)
        return
      case IN.loginResult:
        if (flag === 1) return said(value)
        return pass(0, value)
      case IN.deviceIdRead:
        return put(0, value, false)
      case IN.storageResult:
        return said(value)
      case IN.request:
        if (typeof value === 'string') return inline(0, value)
        F[0] = -1
    }
  }

  /** What the platform said of a failure (its errMsg), or no text when it said nothing. @param {unknown} errMsg */
  function said(errMsg) {
    if (errMsg === undefined || errMsg === null) F[0] = -1
    else inline(0, String(errMsg))
  }

  /**
   * The stored value, its fields by name (layout.rs, `fields::RECORD`): a cached launch's
   * hot path reads them directly.
   * @param {any} value
   */
  function record(value) {
    if (typeof value === 'string') {
      F[0] = STRING
      F[2] = value.length
      return
    }
    put(0, value, true)
    if (F[0] !== OBJECT) return
    put(1, value.v, true)
    put(4, value.openid, true)
    put(7, value.unionid, true)
    put(10, value.token, true)
    put(13, value.expiresAt, true)
    put(16, value.obtainedAt, true)
    var info = value.userInfo
    put(19, info, true)
    if (F[19] === OBJECT) {
      put(22, info.nickName, true)
      put(25, info.avatarUrl, true)
    }
  }

  /** The backend's answer: its text is parsed here; the slot after its fields says its length. @param {unknown} body */
  function answer(body) {
    var length = 0
    var value = body
    try {
      if (typeof body === 'string') {
        length = body.length
        value = length > MAX_ANSWER_CHARS ? undefined : JSON.parse(body)
      } else {
        // A platform that parsed it already: its length as JSON text.
        length = (JSON.stringify(body === undefined ? null : body) || '').length
      }
    } catch (e) {
      value = undefined
      length = length || 0
    }
    var end = describe(0, value, ANSWER, true)
    if (value === undefined) F[0] = OTHER
    F[end] = length
  }

  /** @param {number} at @returns {string | null} */
  function str(at) {
    var a = F[at]
    if (a < 0) return null
    var b = F[at + 1]
    if (b < 0) return table.strings[a]
    var text = ''
    for (var i = 0; i < b; i += CHUNK) {
      text += String.fromCharCode.apply(null, /** @type {any} */ (U.subarray(a + i, a + Math.min(b, i + CHUNK))))
    }
    return text
  }

  /** A profile at slot `at`, after its presence flag. @param {number} at */
  function userInfo(at) {
    return F[at] ? { nickName: str(at + 1), avatarUrl: str(at + 3) } : null
  }

  /** The session at slot `at` (13 slots). @param {number} at */
  function session(at) {
    return {
      openid: /** @type {string} */ (str(at)),
      unionid: str(at + 2),
      token: str(at + 4),
      expiresAt: F[at + 6],
      userInfo: userInfo(at + 7),
      source: F[at + 12] ? 'login' : 'cache',
    }
  }

  /** The error at slot `at`, as errors.toError takes it. @param {number} at */
  function error(at) {
    var errcode = F[at + 5]
    var status = F[at + 6]
    return {
      code: str(at),
      message: str(at + 2),
      retryable: F[at + 4] === 1,
      errcode: errcode === errcode ? errcode : null,
      status: status < 0 ? null : status,
      detail: str(at + 7),
      session: F[at + 9] ? session(at + 10) : null,
    }
  }

  /** Reads the output's effects into `into`; returns whether more wait. @param {any[][]} into */
  function read(into) {
    views()
    var end = F[0]
    if (F[3] !== textsAddress) {
      textsAddress = F[3]
      views()
    }
    var at = HEADER
    while (at < end) {
      var kind = F[at]
      var id = F[at + 1]
      switch (kind) {
        case 0: case 2: case 3: case 7: case 12:
          into.push(kind === 12 ? [12] : [kind, id])
          at += kind === 12 ? 1 : 2
          break
        case 1:
          into.push([1, id, {
            v: F[at + 2], openid: str(at + 3), unionid: str(at + 5), token: str(at + 7),
            expiresAt: F[at + 9], obtainedAt: F[at + 10], userInfo: userInfo(at + 11),
          }])
          at += 16
          break
        case 4: case 13:
          into.push(kind === 13 ? [13, str(at + 1)] : [4, id, str(at + 2)])
          at += kind === 13 ? 3 : 4
          break
        case 5: case 15:
          into.push([kind, id, F[at + 2]])
          at += 3
          break
        case 6:
          into.push([6, id, str(at + 2), F[at + 4] === 1, F[at + 5]])
          at += 6
          break
        case 8:
          into.push([8, id, F[at + 2] < 0 ? null : F[at + 2], str(at + 3)])
          at += 5
          break
        case 9: {
          // [9, group, id, what, value]: the calls (session.js, `settle`) and what they get.
          var what = F[at + 3]
          var value = what === 0 ? session(at + 4) : what === 1 ? str(at + 4) : what === 3 ? F[at + 4] : undefined
          into.push([9, id, F[at + 2], what, value])
          at += what === 0 ? 17 : what === 1 ? 6 : what === 3 ? 5 : 4
          break
        }
        case 10:
          into.push([10, id, F[at + 2], error(at + 3)])
          at += F[at + 12] ? 26 : 13
          break
        case 18:
          into.push([18, id])
          at += 2
          break
        case 19:
          into.push([19, id, F[at + 2]])
          at += 3
          break
        case 11: case 14:
          into.push([kind, F[at + 1] ? session(at + 2) : null])
          at += F[at + 1] ? 15 : 2
          break
        case 16: {
          var strings = [], bytes = []
          for (var i = 0; i < id; i++) {
            strings.push(table.strings[F[at + 2 + i]])
            bytes.push(table.bytes[F[at + 2 + i]])
          }
          table.strings = strings
          table.bytes = bytes
          at += 2 + id
          break
        }
        case 17:
          into.push([17, id, str(at + 2), str(at + 4), str(at + 6), str(at + 8), str(at + 10)])
          at += 12
          break
        default:
          throw new Error('mp-session: the core wrote an effect this shim does not know (' + kind + ')')
      }
    }
    return F[1] === 1
  }

  /**
   * Reads every page of the output of the call just made at `now` (each page is asked for
   * at the same time). @param {number} id @param {number} now @returns {Output}
   */
  function output(id, now) {
    /** @type {any[][]} */
    var effects = []
    while (read(effects)) exports.mps_input(id, IN.more, 0, 0, now, table.strings.length)
    var deadline = F[2]
    return { t: deadline < 0 ? null : deadline, e: effects }
  }

  return {
    /**
     * A new session: `{ id, created }`, or `{ error }` when an option is wrong.
     * @param {Uint8Array} entropy 16 random bytes
     * @param {Record<string, unknown>} options the core's options
     * @param {Record<string, unknown> | null} web a web page's own options
     * @returns {{ id?: number, created?: Created, error?: any }}
     */
    create: function (entropy, options, web) {
      var words = [0, 0, 0, 0]
      for (var i = 0; i < 16; i++) words[i >> 2] |= (entropy[i] || 0) << ((i & 3) * 8)
      views()
      used = 0
      var end = describe(0, options, OPTIONS, false)
      unknownKey(end, options, OPTIONS)
      var origins = options.allowedOrigins
      if (Array.isArray(origins)) {
        for (var k = 0; k < MAX_ORIGINS; k++) {
          if (typeof origins[k] === 'string') inline(end + 2 + 2 * k, origins[k])
          else F[end + 2 + 2 * k] = -1
        }
      }
      if (web) unknownKey(describe(WEB_OPTIONS_AT, web, WEB_OPTIONS, false), web, WEB_OPTIONS)
      else F[WEB_OPTIONS_AT] = ABSENT
      table = newTable()
      exports.mps_create(words[0] >>> 0, words[1] >>> 0, words[2] >>> 0, words[3] >>> 0)
      // No session yet, so no time: a page after the first only empties the output.
      var out = output(-1, 0)
      var made = out.e[0]
      if (made[0] === 10) return { error: made[3] }
      tables[made[1]] = table
      return { id: made[1], created: { key: made[2], deviceKey: made[3], header: made[4], scheme: made[5], platform: made[6] } }
    },
    /**
     * Feeds one input (its value described as `kind` says); gives back the core's effects.
     * @param {number} id @param {number} kind @param {number} arg @param {number} flag
     * @param {number} now @param {unknown} [value]
     * @returns {Output}
     */
    input: function (id, kind, arg, flag, now, value) {
      table = tables[id] || newTable()
      views()
      facts(kind, flag, value)
      exports.mps_input(id, kind, arg, flag, now, table.strings.length)
      return output(id, now)
    },
    /** @param {number} id */
    close: function (id) {
      delete tables[id]
      exports.mps_close(id)
    },
  }
}

/** @returns {Table} */
function newTable() {
  return { strings: [], bytes: [] }
}

/** UTF-8 bytes of `text`; a lone surrogate counts as the 3 of U+FFFD. @param {string} text */
function utf8Length(text) {
  var n = 0
  for (var i = 0; i < text.length; i++) {
    var c = text.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

export { createBoundary, IN }
