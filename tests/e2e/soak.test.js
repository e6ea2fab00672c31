'use strict'
// A short soak (scripts/soak runs it longer): three mp-session-server processes over one
// redis-server, users at once through them in turn, Redis restarted and a server killed with
// SIGKILL mid-run. No session issued and not ended is lost, no ended one authenticates, the
// per-user cap holds, one access_token fetch serves every server, the abuse limits hold across
// the servers (a user's logins, a token's requests, an address's calls to WeChat), and every
// failure a client saw meanwhile was a 503 with Retry-After, a refused connection, or a 429
// RATE_LIMITED with Retry-After.
const test = require('node:test')
const assert = require('node:assert/strict')
const { soak } = require('../support/soak')

test('three servers over one Redis, Redis restarted and a server killed mid-run: nothing lost, nothing wrong', async () => {
  const summary = await soak({ seconds: 8, users: 12, log: console.log })
  assert.deepEqual(summary.violations, [])
  assert.equal(summary.lost, 0)
  assert.equal(summary.faults.length, 4)
  assert.ok(summary.outageAnswers > 0, 'the Redis outage was seen: ' + JSON.stringify(summary))
  assert.ok(summary.sessionsChecked > 100, JSON.stringify(summary))
  assert.equal(summary.witnesses, 10, 'sessions from before the faults were checked')
  assert.equal(summary.accessTokenFetches, 1)
  for (const limit of ['address', 'user', 'token']) assert.ok(summary.limits.loopsLimited[limit] > 0, limit + ': ' + JSON.stringify(summary.limits))
})
