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
export const LOGIN_FLAG_CODE = 0
export const LOGIN_FLAG_FAILED = 1
export const LOGIN_FLAG_ANONYMOUS = 2
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
// Each group of calls, by the name the core gives it.
export const GROUP_ONE = 'one'
export const GROUP_WAITING = 'waiting'
export const GROUP_OF = 'of'
export const GROUP_REQUESTS = 'requests'
export const GROUP_DEVICE_IDS = 'deviceIds'
/** Slots at the start of an output. */
export const HEADER = 4
/** All the slots. */
export const SLOTS = 256
/** The longest backend answer read. */
export const MAX_ANSWER_CHARS = 65536
/** allowedOrigins entries described. */
export const MAX_ORIGINS_DESCRIBED = 17
/** The slot where a web page's options are described. */
export const WEB_OPTIONS_AT = 70
/** The slot of the platform the shim runs on. */
export const HOST_PLATFORM_AT = 85
/** A stored value that is a string: the slot of its length ('' is nothing stored). */
export const RECORD_STRING_LENGTH = 2
/** The stored record's fields. */
export var RECORD_FIELDS = ['v', 'openid', 'unionid', 'token', 'expiresAt', 'obtainedAt', 'userInfo']
/** The backend answer's fields. */
export var ANSWER_FIELDS = ['openid', 'unionid', 'token', 'expires_in', 'expiresIn', 'errcode', 'userInfo']
/** A profile's fields. */
export var USER_INFO_FIELDS = ['nickName', 'avatarUrl']
/** createSession's options. */
export var OPTION_FIELDS = ['loginUrl', 'cloudFunction', 'platform', 'namespace', 'leewaySeconds', 'defaultTtlSeconds', 'timeoutMs', 'maxRetries', 'failureToast', 'tokenHeader', 'allowedOrigins']
/** A web page's own options. */
export var WEB_OPTION_FIELDS = ['appid', 'scope', 'authorizeUrl', 'redirectUri']
/** The field described again, field by field, after its object's. */
export const NESTED = 'userInfo'
// Each kind of part of an effect (layout/parts.rs, `Part`).
export const PART_NUMBER = 0
export const PART_MAYBE_NUMBER = 1
export const PART_FLAG = 2
export const PART_TEXT = 3
export const PART_NOTHING = 4
export const PART_NAME = 5
export const PART_OBJECT = 6
export const PART_OPTIONAL = 7
export const PART_CHOICE = 8
export const PART_LIST = 9
/** A profile. */
var USER_INFO = [6, 'nickName', 3, 'avatarUrl', 3]
/** A session, as the app is given it. */
var SESSION = [6, 'openid', 3, 'unionid', 3, 'token', 3, 'expiresAt', 0, 'userInfo', [7, USER_INFO], 'source', [5, 'cache', 'login']]
/** The record as it is stored. */
var RECORD = [6, 'v', 0, 'openid', 3, 'unionid', 3, 'token', 3, 'expiresAt', 0, 'obtainedAt', 0, 'userInfo', [7, USER_INFO]]
/** An error, as errors.js turns it into an Error. */
var ERROR = [6, 'code', 3, 'message', 3, 'retryable', 2, 'errcode', 1, 'status', 1, 'detail', 3, 'session', [7, SESSION]]
/** A group of calls: the one named, those waiting for a session, of an effect, in line, for the device id. */
var GROUP = [5, 'one', 'waiting', 'of', 'requests', 'deviceIds']
/** What resolved calls get. */
var SETTLED = [8, SESSION, 3, 4, 0]
/** A field of a JSON body. */
var FIELD = [6, 'name', 3, 'value', 3]
/** The header that carries the token. */
var TOKEN_HEADER = [6, 'name', 3, 'prefix', 3, 'token', 3]
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
/** The parts of readSession and of the effects like it. */
var READ_SESSION_PARTS = ['op', 0]
/** The parts of changed and of the effects like it. */
var CHANGED_PARTS = ['session', [7, SESSION]]
/** Each effect's parts, by its tag: a field's name, then its part. */
export var EFFECT_PARTS = [
  /* readSession */ READ_SESSION_PARTS,
  /* writeSession */ ['op', 0, 'record', RECORD],
  /* removeSession */ READ_SESSION_PARTS,
  /* readDeviceId */ READ_SESSION_PARTS,
  /* writeDeviceId */ ['op', 0, 'id', 3],
  /* login */ ['op', 0, 'timeoutMs', 0],
  /* postCode */ ['op', 0, 'url', 3, 'body', [9, FIELD], 'timeoutMs', 0],
  /* abort */ READ_SESSION_PARTS,
  /* sendRequest */ ['op', 0, 'again', 1, 'header', [7, TOKEN_HEADER]],
  /* resolve */ ['group', GROUP, 'id', 0, 'value', SETTLED],
  /* reject */ ['group', GROUP, 'id', 0, 'error', ERROR],
  /* changed */ CHANGED_PARTS,
  /* toast */ ['text', 3],
  /* redirect */ ['url', 3],
  /* current */ CHANGED_PARTS,
  /* callFunction */ ['op', 0, 'name', 3, 'data', [9, FIELD], 'timeoutMs', 0],
  /* table */ ['keep', [9, 0]],
  /* created */ ['id', 0, 'storageKey', 3, 'deviceIdKey', 3],
  /* hold */ READ_SESSION_PARTS,
  /* wait */ ['call', 0, 'group', GROUP, 'id', 0],
]
