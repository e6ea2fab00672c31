// UTF-16 code units of the core's memory read as a string, for the flight recorder (the texts
// of an input). The boundary reads an output's texts with the same loop written inline, with
// this CHUNK: a call more on every cached launch costs an iPhone more than these four lines.

/** Code units read per fromCharCode.apply (engines limit the arguments of one call). */
export var CHUNK = 4096

/** Code units `from` to `to` of `area` as a string. @param {Uint16Array} area @param {number} from @param {number} to */
export function units(area, from, to) {
  var text = ''
  for (var i = from; i < to; i += CHUNK) {
    text += String.fromCharCode.apply(null, /** @type {any} */ (area.subarray(i, Math.min(to, i + CHUNK))))
  }
  return text
}
