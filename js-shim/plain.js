// @ts-check
'use strict'
// mp-session for mini-programs with no WebAssembly in the logic layer: QQ, Baidu, Kuaishou,
// Alipay, and WeChat before base library 2.13.0. The same core as index.js, compiled to
// JavaScript from the same .wasm (core-plain.js); the same API.

module.exports = require('./entry').createEntry(require('./core-plain').loadCore, require('./alipay').alipay)
