// @ts-check
// mp-session/trace: the flight recorder an app passes as the `trace` option, kept out of the
// package's main file so that an app without it carries none of it. It keeps a session's last
// exchanges with the core as boundary.js's `tap` shows them: each input's slots and texts as
// written (a string the core only passes on is a handle there, a number: no login code, token,
// openid, unionid or nickname is in them), a request URL's query blanked, its length kept; and
// the effects answered, each handle as `{ h, n }`.

import { HEADER, HEADER_DEADLINE, HEADER_USED, KIND_REQUEST, VERSION, readEffects } from './layout.js'

/** Code units read per fromCharCode.apply (engines limit the arguments of one call). */
var CHUNK = 4096

/**
 * @typedef {{ t: number, kind: number, arg: number, flag: number, strings: number, slots: number[],
 *   texts: string, effects: Array<{ tag: number, [part: string]: any }>, deadline: number }} Entry
 */

/**
 * What the boundary shows a recorder of the exchange, fresh each time (boundary.js, `tap`):
 * the slots, the texts area, the slots and the code units written, the table, the text reader.
 * @typedef {[Float64Array, Uint16Array, number, number, { strings: string[], bytes: number[] },
 *   (at: number) => string | null]} Exchange
 */

/**
 * @typedef {{
 *   wrap(id: number): (exports: import('./boundary').CoreExports, exchange: (answered: boolean) => Exchange) => import('./boundary').CoreExports,
 *   read(options: Record<string, unknown>): { version: string, options: Record<string, unknown>, entries: Entry[] },
 * }} Recorder
 */

/**
 * A recorder keeping the last `limit` exchanges (200 unless it says; 1 to 10000).
 * @param {number} [limit] @returns {Recorder}
 */
function recorder(limit) {
  var keep = limit === undefined ? 200 : limit
  if (!(keep % 1 === 0 && keep >= 1 && keep <= 10000)) throw new RangeError('mp-session/trace: recorder(limit) keeps 1 to 10000 exchanges')
  /** @type {Entry[]} */
  var entries = []

  /** The input about to cross, as written. @param {Exchange} x @param {number[]} call */
  function input(x, call) {
    var kind = call[1]
    var texts = x[1], used = x[3]
    var text = ''
    for (var i = 0; i < used; i += CHUNK) {
      text += String.fromCharCode.apply(null, /** @type {any} */ (texts.subarray(i, Math.min(used, i + CHUNK))))
    }
    // A request's URL is its only text: its query may hold what the app sends, so it is blanked.
    if (kind === KIND_REQUEST) text = text.replace(/\?.*$/, function (query) { return '?' + Array(query.length).join('x') })
    /** @type {Entry} */
    var entry = {
      t: call[4], kind: kind, arg: call[2], flag: call[3], strings: call[5],
      slots: Array.prototype.slice.call(x[0], 0, x[2]), texts: text, effects: [], deadline: -1,
    }
    entries.push(entry)
    if (entries.length > keep) entries.shift()
    return entry
  }

  /** The effects answered, each handle as `{ h, n }`, and the deadline. @param {Exchange} x @param {Entry} entry */
  function output(x, entry) {
    var F = x[0], table = x[4], str = x[5]
    var label = function (/** @type {number} */ at) {
      return F[at] >= 0 && F[at + 1] < 0 ? { h: F[at], n: table.bytes[F[at]] } : str(at)
    }
    readEffects(F, HEADER, F[HEADER_USED], /** @type {any} */ (label), function () {}, entry.effects)
    entry.deadline = F[HEADER_DEADLINE]
  }

  return {
    // Each input of session `id`, and what the core answered it, through the exports.
    wrap: function (id) {
      return function (core, exchange) {
        return Object.assign({}, core, {
          mps_input: function (/** @type {number} */ sid, /** @type {number} */ kind, /** @type {number} */ arg,
            /** @type {number} */ flag, /** @type {number} */ now, /** @type {number} */ strings) {
            if (sid !== id) return core.mps_input(sid, kind, arg, flag, now, strings)
            var entry = input(exchange(false), [sid, kind, arg, flag, now, strings])
            core.mps_input(sid, kind, arg, flag, now, strings)
            output(exchange(true), entry)
          },
        })
      }
    },
    // JSON-ready: the package's version, the options as given (not the platform's API object,
    // nor this recorder; the hooks, functions, drop out), the exchanges.
    read: function (options) {
      var given = Object.assign({}, options)
      delete given.api
      delete given.trace
      return JSON.parse(JSON.stringify({ version: VERSION, options: given, entries: entries }))
    },
  }
}

export { recorder }
