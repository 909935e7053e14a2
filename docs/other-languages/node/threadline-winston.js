// Threadline's log-line schema (docs/schema.md, 1.0.0) from winston, so Node.js services correlate with the Java
// ones: one JSON object per line, the same keys in the same order, requestId / trace_id / span_id from the request's
// context. Copy this file into a service; it needs winston 3 and Node.js 18 or later.
'use strict';

const { AsyncLocalStorage } = require('node:async_hooks');
const crypto = require('node:crypto');
const os = require('node:os');
const { performance } = require('node:perf_hooks');
const winston = require('winston');

/** The request's correlation ({ requestId, traceId, spanId }) for everything that runs on its behalf. */
const correlation = new AsyncLocalStorage();

const RESERVED = new Set(['timestamp', 'level', 'service', 'env', 'version', 'host', 'logger', 'thread', 'message',
  'requestId', 'trace_id', 'span_id', 'tags', 'error']);
const LEVELS = { error: 'error', warn: 'warn', info: 'info', http: 'info', verbose: 'debug', debug: 'debug',
  silly: 'trace' };
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const REQUEST_ID = /^[A-Za-z0-9._:+/=-]{1,128}$/;

/** ISO-8601 UTC with exactly six fractional digits, as the schema asks (Date alone has milliseconds). */
function timestamp() {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return iso.slice(0, -1) + String(micros % 1000).padStart(3, '0') + 'Z';
}

function randomHex(bytes) {
  let hex;
  do {
    hex = crypto.randomBytes(bytes).toString('hex');
  } while (/^0+$/.test(hex));
  return hex;
}

/** Same bug, same fingerprint: the type and the frames' function names, without messages or line numbers. */
function fingerprint(error) {
  const frames = String(error.stack || '').split('\n').slice(1)
    .map((line) => line.trim().replace(/^at /, '').replace(/\s*\(.*\)$/, '').replace(/:\d+:\d+$/, '').replace(/^.*[\\/]/, ''))
    .filter((frame) => frame.length > 0).slice(0, 32);
  return crypto.createHash('sha256').update([error.name || 'Error', ...frames].join('\n')).digest('hex')
    .slice(0, 16);
}

/** A winston format writing Threadline's schema; `resource` is { service, env, version }. */
function threadlineFormat(resource = {}) {
  return winston.format((info) => {
    const line = { timestamp: timestamp(), level: LEVELS[info.level] || 'info' };
    if (resource.service) line.service = resource.service;
    if (resource.env) line.env = resource.env;
    if (resource.version) line.version = resource.version;
    line.host = os.hostname();
    line.logger = info.logger || 'app';
    line.thread = 'main';
    line.message = typeof info.message === 'string' ? info.message : String(info.message);
    const current = correlation.getStore();
    if (current) {
      line.requestId = current.requestId;
      line.trace_id = current.traceId;
      line.span_id = current.spanId;
    }
    const error = info.error instanceof Error ? info.error : info instanceof Error ? info : null;
    for (const [key, value] of Object.entries(info)) {
      if (key === 'level' || key === 'message' || key === 'logger' || key === 'error' || key === 'stack'
          || typeof key === 'symbol' || value === undefined) continue;
      let name = key;
      while (RESERVED.has(name) || name in line) name = '_' + name;
      line[name] = value;
    }
    if (error) {
      line.error = { type: error.name || 'Error' };
      if (error.message) line.error.message = error.message;
      line.error.stack = String(error.stack || error.name);
      line.error.fingerprint = fingerprint(error);
    }
    // winston prints info[MESSAGE]; everything else on info is ignored by the transport.
    info[Symbol.for('message')] = JSON.stringify(line);
    return info;
  })();
}

/**
 * Express/Connect middleware: takes the caller's traceparent and X-Request-Id (or starts a trace), opens a span of
 * this service, echoes the request id, and runs the rest of the request inside that correlation.
 */
function correlate(req, res, next) {
  const parent = TRACEPARENT.exec(String(req.headers.traceparent || ''));
  const offered = String(req.headers['x-request-id'] || '').trim();
  const context = {
    traceId: parent && !/^0+$/.test(parent[1]) ? parent[1] : randomHex(16),
    spanId: randomHex(8),
    requestId: REQUEST_ID.test(offered) ? offered : randomHex(10),
  };
  res.setHeader('X-Request-Id', context.requestId);
  correlation.run(context, next);
}

/** Headers for an outbound call: the next service continues this trace and request id. */
function outboundHeaders() {
  const current = correlation.getStore();
  if (!current) return {};
  return { traceparent: `00-${current.traceId}-${randomHex(8)}-01`, 'X-Request-Id': current.requestId };
}

module.exports = { correlation, threadlineFormat, correlate, outboundHeaders };
