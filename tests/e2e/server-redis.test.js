'use strict'
// server.test.js again, with the server's sessions in a real redis-server of its own.
process.env.MP_SESSION_TEST_STORE = 'redis'
require('./server.test.js')
