// @ts-check
// The JavaScript half of the core's boundary (the other half: src/wire/). Every number and
// shape comes from layout.js, generated from src/wire/layout/, and effects are read by its
// generated readers, never by counting slots here. JavaScript parses, the core judges: a
// stored record or the backend's answer is read with the engine's own JSON.parse, and the
// core is given the value as it is (each key's name, each value's kind, number, string
// length) in the exchange's slots; which keys it reads, and what a key it does not know
// means, are the core's. A string the core only passes on stays here, in the session's table,
// and crosses as its place there (a handle); the strings the core reads itself (options, a
// request's URL, errMsg, keys) cross as UTF-16 code units. The core answers in the same
// slots: effects as numbers, strings by handle or as code units. Five exported functions,
// numbers only; no TextEncoder, which phones lack.

import {
  ANSWER_COOKIES_AT, ANSWER_COPIES_AT, ANSWER_HEADER_AT, ANSWER_LENGTH_AT, ANSWER_RETRY_AFTER_AT, RETRY_AFTER, COOKIE_EXPIRES, COOKIE_MAX_AGE, COOKIE_VALUE, EFFECT_REJECT, ENTRY_SLOTS, HEADER, KIND_DEVICE_ID_READ,
  KIND_LOGIN_RESULT, KIND_MORE, KIND_POST_RESULT, KIND_REQUEST, KIND_SEND_RESULT, KIND_SESSION_READ,
  KIND_SET_USER_INFO, KIND_STORAGE_RESULT, LOGIN_FLAG_FAILED,
  MAX_ANSWER_CHARS, PAIR_NONE, SLOTS, TREE_AT, VALUE_ABSENT, VALUE_ARRAY, VALUE_FALSE, VALUE_NULL, VALUE_NUMBER,
  VALUE_FUNCTION, VALUE_OBJECT, VALUE_OTHER, VALUE_STRING, VALUE_TRUE, WEB_OPTIONS_AT, HOST_PLATFORM_AT, HEADER_USED, HEADER_MORE,
  HEADER_DEADLINE, HEADER_TEXTS, NO_DEADLINE, RECORD_STRING_LENGTH, USER_INFO_AVATAR, USER_INFO_COPY_AT, readEffects,
} from './layout.js'
import { CHUNK } from './units.js'

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
 * @typedef {{ tag: number, [part: string]: any }} Effect an effect: its tag (layout.js, `EFFECT`)
 *   and its parts by name (read by layout.js, `readEffects`)
 * @typedef {{ t: number | null, e: Effect[] }} Output
 * @typedef {{ key: string, deviceKey: string }} Created the storage keys of the session the core made
 * @typedef {{ header?: Record<string, unknown>, cookies?: unknown }} Response what a login
 *   answer says besides its body: its headers, and the cookies it sets (`wx.request`'s
 *   `cookies`, base library 2.10.0)
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
  var F = new Float64Array(exports.memory.buffer, slotsAddress, SLOTS)
  /** The texts area, to the end of the memory (an output's texts may go past `capacity`). @type {Uint16Array} */
  var U = new Uint16Array(0)
  /** Code units of the input written so far. */
  var used = 0
  /** The slot where the next object's entries go. */
  var top = TREE_AT
  /** The objects and arrays put but not yet described, and their slots, in turn. @type {any[]} */
  var later = []
  /** @type {Record<number, Table>} */
  var tables = {}
  /** @type {Table} */
  var table = newTable()

  /** Views again after the memory grew or the texts area moved. */
  function views() {
    var buffer = exports.memory.buffer
    if (F.buffer !== buffer) F = new Float64Array(buffer, slotsAddress, SLOTS)
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
      capacity = Math.max(capacity, Math.min(used + length, MAX_ANSWER_CHARS))
      views()
    }
    if (used + length > capacity) {
      // Longer than the core reads: it knows it by the length alone.
      F[at] = PAIR_NONE
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
   * Describes `value` at slot `at`: its kind, then its number, its string's pair, or (once
   * `describe` comes to it) how many entries an object (its own enumerable keys) or an array
   * has and where they are.
   * @param {number} at @param {unknown} value @param {boolean} passed a string the core passes on
   */
  function put(at, value, passed) {
    var type = typeof value
    if (value === undefined || type === 'symbol') F[at] = VALUE_ABSENT
    else if (type === 'function') F[at] = VALUE_FUNCTION
    else if (value === null) F[at] = VALUE_NULL
    else if (value === false) F[at] = VALUE_FALSE
    else if (value === true) F[at] = VALUE_TRUE
    else if (type === 'number') {
      F[at] = VALUE_NUMBER
      F[at + 1] = /** @type {number} */ (value)
    } else if (type === 'string') {
      F[at] = VALUE_STRING
      if (passed) pass(at + 1, /** @type {string} */ (value))
      else inline(at + 1, /** @type {string} */ (value))
    } else if (type !== 'object') F[at] = VALUE_OTHER
    else {
      F[at] = Array.isArray(value) ? VALUE_ARRAY : VALUE_OBJECT
      later.push(at, value)
    }
  }

  /**
   * Describes `value` at slot `at`, then the entries of the objects and arrays in it, the
   * nearest first: each entry its key's pair (none in an array), then its value, the
   * entries of one object together, as long as they fit in the slots.
   * @param {number} at @param {unknown} value @param {boolean} passed a string the core passes on
   */
  function describe(at, value, passed) {
    later = []
    put(at, value, passed)
    for (var q = 0; q < later.length; q += 2) {
      var where = later[q]
      var object = later[q + 1]
      var array = F[where] === VALUE_ARRAY
      var keys = array ? object : Object.keys(object)
      var n = keys.length
      var first = top
      F[where + 1] = n
      F[where + 2] = first + ENTRY_SLOTS * n > SLOTS ? -1 : first
      if (F[where + 2] < 0) continue
      top += ENTRY_SLOTS * n
      for (var i = 0; i < n; i++) {
        var entry = first + ENTRY_SLOTS * i
        if (array) F[entry] = PAIR_NONE
        else inline(entry, keys[i])
        put(entry + 2, object[array ? i : keys[i]], passed)
      }
    }
  }

  /**
   * What describes the facts of each kind of input, by its kind (one small function each:
   * a phone compiles only those of the inputs that come). `flag` says which facts some give.
   * @type {Record<number, (value: any, flag: number, copy: string[], response?: Response) => void>}
   */
  var describers = {
    // A string is no record: its length alone says whether it is '' (nothing stored).
    [KIND_SESSION_READ]: function (value) {
      if (typeof value !== 'string') describe(0, value, true)
      else {
        F[0] = VALUE_STRING
        F[RECORD_STRING_LENGTH] = value.length
      }
    },
    [KIND_POST_RESULT]: function (value, flag, copy, response) {
      if (flag < 0) said(value)
      else answer(value, copy, response)
    },
    // Passed on, and its avatarUrl again as text, which the core reads (a file on the phone
    // is refused); the nickname is only passed on.
    [KIND_SET_USER_INFO]: function (value) {
      describe(0, value, true)
      describe(USER_INFO_COPY_AT, value && value[USER_INFO_AVATAR], false)
    },
    [KIND_LOGIN_RESULT]: function (value, flag) {
      if (flag === LOGIN_FLAG_FAILED) said(value)
      else describe(0, value, true)
    },
    [KIND_DEVICE_ID_READ]: function (value) { describe(0, value, false) },
    [KIND_STORAGE_RESULT]: said,
    [KIND_REQUEST]: function (value) {
      if (typeof value === 'string') inline(0, value)
      else F[0] = PAIR_NONE
    },
    // What the app's isSessionExpired answered: absent (none), true, false, null (it threw).
    [KIND_SEND_RESULT]: function (value) { describe(0, value, false) },
  }

  /** What the platform said of a failure (its errMsg), or no text when it said nothing. @param {unknown} errMsg */
  function said(errMsg) {
    if (errMsg === undefined || errMsg === null) F[0] = PAIR_NONE
    else inline(0, String(errMsg))
  }

  /**
   * The backend's answer: its text is parsed here, its length given after it, and the values
   * at the paths `copy` names (their texts the core reads) described again, in turn; then
   * the answer's headers and the cookies it sets, their values passed on (a token in them),
   * and its Retry-After again, copied.
   * @param {unknown} body @param {string[]} copy @param {Response} [response]
   */
  function answer(body, copy, response) {
    var length = 0
    /** @type {any} */
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
    // The values whose texts the core reads first (so that they find room), then the body.
    for (var k = 0; k < copy.length; k++) describe(ANSWER_COPIES_AT + 3 * k, walk(value, copy[k]), false)
    describe(0, value, true)
    if (value === undefined) F[0] = VALUE_OTHER
    F[ANSWER_LENGTH_AT] = length
    var header = response && response.header
    describe(ANSWER_HEADER_AT, header, true)
    describe(ANSWER_COOKIES_AT, header && cookieJar(header, /** @type {Response} */ (response).cookies), true)
    // Retry-After, its text copied: the core reads the seconds.
    describe(ANSWER_RETRY_AFTER_AT, headerValues(header, RETRY_AFTER)[0], false)
  }

  /**
   * The value at `path` (names separated by dots): undefined where a name is not there, or a
   * value on the way is no object. @param {any} value @param {string} path
   */
  function walk(value, path) {
    var names = path.split('.')
    for (var i = 0; i < names.length; i++) {
      if (value === null || typeof value !== 'object') return undefined
      value = value[names[i]]
    }
    return value
  }

  /** The text of the pair at slot `at`. @param {number} at @returns {string | null} */
  function str(at) {
    var a = F[at]
    if (a < 0) return null
    var b = F[at + 1]
    if (b < 0) return table.strings[a]
    // units() of units.js, inline: this runs on every cached launch.
    var text = ''
    for (var i = 0; i < b; i += CHUNK) {
      text += String.fromCharCode.apply(null, /** @type {any} */ (U.subarray(a + i, a + Math.min(b, i + CHUNK))))
    }
    return text
  }

  /** The views over the output just written (its texts may have moved). */
  function fresh() {
    views()
    if (F[HEADER_TEXTS] !== textsAddress) {
      textsAddress = F[HEADER_TEXTS]
      views()
    }
  }

  /** Reads the output's effects into `into`; returns whether more wait. @param {Effect[]} into */
  function read(into) {
    fresh()
    readEffects(F, HEADER, F[HEADER_USED], str, keep, into)
    return F[HEADER_MORE] === 1
  }

  /** Keeps only the strings at `places`, in that order (the core compacted the table). @param {number[]} places */
  function keep(places) {
    var strings = [], bytes = []
    for (var i = 0; i < places.length; i++) {
      strings.push(table.strings[places[i]])
      bytes.push(table.bytes[places[i]])
    }
    table.strings = strings
    table.bytes = bytes
  }

  /**
   * Reads every page of the output of the call just made at `now` (each page is asked for
   * at the same time). @param {number} id @param {number} now @returns {Output}
   */
  function output(id, now) {
    /** @type {Effect[]} */
    var effects = []
    while (read(effects)) exports.mps_input(id, KIND_MORE, 0, 0, now, table.strings.length)
    var deadline = F[HEADER_DEADLINE]
    return { t: deadline === NO_DEADLINE ? null : deadline, e: effects }
  }

  return {
    /**
     * Lets a flight recorder (mp-session/trace: the `trace` option) wrap the exports the
     * boundary calls: `wrap` gets them and what it reads the exchange by, before a creation or
     * an input crosses or once the core `answered`, in this order: the slots, the texts area,
     * the slots and code units written, the table, the text reader. Without a recorder
     * nothing runs for it.
     * @param {(exports: CoreExports, exchange: (answered: boolean) => import('./trace').Exchange) => CoreExports} wrap
     */
    tap: function (wrap) {
      exports = wrap(exports, function (answered) {
        (answered ? fresh : views)()
        return [F, U, top, used, table, str]
      })
    },
    /**
     * A new session: `{ id, created }`, or `{ error }` when an option is wrong.
     * @param {Uint32Array} entropy 4 random words
     * @param {Record<string, unknown>} options the options the core reads (not the shim's own)
     * @param {Record<string, unknown> | null} web a web page's own options
     * @param {string | null} host the platform whose API this runtime has (none on a web page)
     * @returns {{ id?: number, created?: Created, error?: any }}
     */
    create: function (entropy, options, web, host) {
      views()
      used = 0
      top = TREE_AT
      describe(0, options, false)
      if (web) describe(WEB_OPTIONS_AT, web, false)
      else F[WEB_OPTIONS_AT] = VALUE_ABSENT
      if (host) inline(HOST_PLATFORM_AT, host)
      else F[HOST_PLATFORM_AT] = PAIR_NONE
      table = newTable()
      exports.mps_create(entropy[0], entropy[1], entropy[2], entropy[3])
      // No session yet, so no time: a page after the first only empties the output.
      var made = output(-1, 0).e[0]
      if (made.tag === EFFECT_REJECT) return { error: made.error }
      tables[made.id] = table
      return { id: made.id, created: { key: made.storageKey, deviceKey: made.deviceIdKey } }
    },
    /**
     * Feeds one input (its value described as `kind` says); gives back the core's effects.
     * @param {number} id @param {number} kind @param {number} arg @param {number} flag
     * @param {number} now @param {unknown} [value] @param {string[]} [copy] a login answer's
     *   paths whose texts the core reads (the request's `copy`)
     * @param {Response} [response] a login answer's headers and cookies
     * @returns {Output}
     */
    input: function (id, kind, arg, flag, now, value, copy, response) {
      table = tables[id] || newTable()
      views()
      used = 0
      top = TREE_AT
      var describer = describers[kind]
      if (describer) describer(value, flag, copy || [], response)
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

/**
 * The values of the header `name` (in lower case) in a response's headers, its name in any
 * case (platforms give it as the server wrote it, or in lower case): each value, or each of
 * an array of them, in turn. @param {unknown} header @param {string} name @returns {unknown[]}
 */
function headerValues(header, name) {
  /** @type {unknown[]} */
  var values = []
  for (var key in /** @type {any} */ (header)) if (key.toLowerCase() === name) values = values.concat(/** @type {any} */ (header)[key])
  return values
}

/**
 * The cookies a response sets, by name: each its value, `Max-Age` in seconds and `Expires` in
 * Unix milliseconds (where they parse), under the names the core reads (layout.js, `COOKIE_`).
 * They come from `cookies`, one Set-Cookie each, else from the header (in any case), where
 * WeChat joins several with ',' (an `Expires` date has one too: a comma begins a cookie only
 * where a `name=` follows it). Parsing only: which cookie is the token, and what its lifetime
 * means, are the core's.
 * @param {Record<string, unknown>} header @param {unknown} list
 */
function cookieJar(header, list) {
  // A cookie's attributes (RFC 6265): any other `name=value` in a Set-Cookie begins the next
  // cookie (QQ on Android joins a response's cookies with ';'). Made here, not at load: a
  // launch that reads a stored session never parses a cookie.
  var attribute = /^(expires|max-age|domain|path|secure|httponly|samesite|priority|partitioned)$/i
  /** @type {Record<string, Record<string, unknown>>} */
  var jar = {}
  /** @type {unknown[]} */
  var lines = Array.isArray(list) && list.length ? list : []
  if (!lines.length) lines = headerValues(header, 'set-cookie')
  lines.join(',').split(/,(?=\s*[^\s;,=]+=)/).forEach(function (line) {
    /** @type {Record<string, unknown> | null} */
    var cookie = null
    line.split(';').forEach(function (part, i) {
      var eq = part.indexOf('=')
      var name = part.slice(0, eq < 0 ? part.length : eq).trim()
      var value = eq < 0 ? '' : part.slice(eq + 1).trim()
      if (i === 0 || (eq > 0 && !attribute.test(name))) {
        cookie = eq > 0 && name ? (jar[name] = { [COOKIE_VALUE]: value }) : null
      } else if (!cookie) {
        // An attribute of a cookie that had no name=value.
      } else if (/^max-age$/i.test(name)) {
        if (/^-?\d+$/.test(value)) cookie[COOKIE_MAX_AGE] = +value
      } else if (/^expires$/i.test(name)) {
        var at = Date.parse(value)
        if (at === at) cookie[COOKIE_EXPIRES] = at
      }
    })
  })
  return jar
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

export { createBoundary }
