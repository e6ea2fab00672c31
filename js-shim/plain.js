// @ts-check
// mp-session for mini-programs with no WebAssembly in the logic layer: QQ, Baidu, Kuaishou,
// Alipay, and WeChat before base library 2.13.0. The same core as index.js, compiled to
// JavaScript from the same .wasm (core-plain.js); the same API.

import { createEntry } from './entry.js'
import { loadCore } from './core-plain.js'
import { alipay } from './alipay.js'

// The package's one export, as CommonJS.
module.exports = createEntry(loadCore, alipay)
